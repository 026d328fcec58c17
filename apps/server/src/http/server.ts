import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, type ErrorStatus } from '@enclave/contract';
import type { Express } from 'express';
import type { Logger } from '../logger.js';

function rawErrorResponse(status: ErrorStatus, message: string): string {
  const error = errorBody(status, message);
  const body = JSON.stringify(error);
  return (
    `HTTP/1.1 ${status} ${error.error}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/**
 * The HTTP server around the app. Requests Node rejects before Express sees them (headers over
 * the size limit, unparseable request lines) still get an answer in the API's error format.
 */
export function createHttpServer(app: Express, logger: Logger): Server {
  const server = createServer(app);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // As Node's own handler does: once a response on this socket has begun (pipelining), an
    // extra raw answer would corrupt it, so the connection is just closed.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    // Never the raw bytes: they may hold a credential. The parser's code says what was wrong.
    logger.warn({ code: error.code }, 'rejected a request Node could not parse');
    const response =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? rawErrorResponse(431, 'Request headers are too large')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? rawErrorResponse(408, 'The request was not received in time')
          : rawErrorResponse(400, 'Malformed HTTP request');
    socket.end(response);
  });
  return server;
}
