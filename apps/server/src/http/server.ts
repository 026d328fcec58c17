import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorStatus } from '@enclave/contract';
import type { Express } from 'express';
import type { Logger } from '../logger.js';
import { rawErrorResponse } from './bare-errors.js';
import { bodyLimitBytes } from './body-size.js';
import { connectionsCheckingInterval, type HttpTimeouts } from './http-timeouts.js';
import { serveBehindGate } from './request-gate.js';

// The answers Node itself would give (empty ones), by the code of its error.
const CLIENT_ERRORS: Record<string, [ErrorStatus, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Request chunk extensions are too large'],
  // Both HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS end in this one.
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time'],
};

export interface HttpServerOptions extends HttpTimeouts {
  /** BODY_LIMIT: an `Expect: 100-continue` upload announced as larger is refused up front. */
  bodyLimit: string;
}

/**
 * The HTTP server around the app. Requests Node rejects before Express sees them (headers over
 * the size limit, unparseable request lines, no Host, an unknown `Expect`, CONNECT, a client
 * too slow) still get an answer in the API's error format.
 */
export function createHttpServer(app: Express, logger: Logger, options: HttpServerOptions): Server {
  const server = createServer({
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingInterval(options),
    // Node's own answer is an empty 400; request-gate.ts answers in the API's format.
    requireHostHeader: false,
  });
  serveBehindGate(server, app, bodyLimitBytes(options.bodyLimit), logger);
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
    const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Malformed HTTP request'];
    socket.end(rawErrorResponse(status, message));
  });
  return server;
}
