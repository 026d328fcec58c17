import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, type ErrorStatus } from '@enclave/contract';
import type { Express } from 'express';

function rawErrorResponse(status: ErrorStatus, message: string): string {
  const body = JSON.stringify(errorBody(status, message));
  return (
    `HTTP/1.1 ${status} ${errorBody(status, message).error}\r\n` +
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
export function createHttpServer(app: Express): Server {
  const server = createServer(app);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const response =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? rawErrorResponse(431, 'Request headers are too large')
        : rawErrorResponse(400, 'Malformed HTTP request');
    socket.end(response);
  });
  return server;
}
