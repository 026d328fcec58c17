import {
  createServer,
  IncomingMessage,
  ServerResponse,
  type OutgoingHttpHeaders,
  type Server,
} from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorStatus } from '@enclave/contract';
import type { Express } from 'express';
import type { Logger } from '../logger.js';
import { rawErrorResponse } from './bare-errors.js';
import { bodyLimitBytes } from './body-size.js';
import { connectionsCheckingInterval, type HttpTimeouts } from './http-timeouts.js';
import { beforeEarlyAnswer, closeLingering } from './lingering-close.js';
import { serveBehindGate } from './request-gate.js';

// The answers Node itself would give (empty ones), by the code of its error.
const CLIENT_ERRORS: Record<string, [ErrorStatus, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Request chunk extensions are too large'],
  // Both HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS end in this one.
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time'],
};

/**
 * Node's request and response classes for `app`, whose objects have from birth the prototypes
 * Express would give them. Express swaps the prototype of every request and response as it
 * starts on them (expressInit); swapping in the one an object already has is a no-op, and V8
 * then keeps one shape for all requests where each swap made a new one for the code after it.
 */
function bornAsExpress(app: Express, maxBodyBytes: number) {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {
    // Every answer's head is written here, Express's and the gate's alike: the last moment to
    // decide how the connection ends (see lingering-close.ts).
    override writeHead(...args: [number, ...unknown[]]): this {
      beforeEarlyAnswer(this, maxBodyBytes);
      return super.writeHead(...(args as [number, string, OutgoingHttpHeaders]));
    }
  }
  for (const [made, express] of [
    [AppRequest.prototype, app.request],
    [AppResponse.prototype, app.response],
  ] as const) {
    // Express's own methods, then Node's: the chain Express's prototype has, one link longer.
    Object.setPrototypeOf(made, Object.getPrototypeOf(express) as object);
    // Its own members (`app`), not its `constructor`: a second server on the same app finds
    // the first one's class prototype here.
    const members = Object.entries(Object.getOwnPropertyDescriptors(express));
    Object.defineProperties(
      made,
      Object.fromEntries(members.filter(([name]) => name !== 'constructor')),
    );
  }
  Object.assign(app, { request: AppRequest.prototype, response: AppResponse.prototype });
  return { IncomingMessage: AppRequest, ServerResponse: AppResponse };
}

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
  const maxBodyBytes = bodyLimitBytes(options.bodyLimit);
  const server = createServer({
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingInterval(options),
    // Node's own answer is an empty 400; request-gate.ts answers in the API's format.
    requireHostHeader: false,
    ...bornAsExpress(app, maxBodyBytes),
  });
  serveBehindGate(server, app, maxBodyBytes, logger);
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
    socket.write(rawErrorResponse(status, message));
    // The client may still be sending (headers too large, a body too slow): see lingering-close.ts.
    closeLingering(socket);
  });
  return server;
}
