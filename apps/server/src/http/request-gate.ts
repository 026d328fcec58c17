import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorStatus } from '@enclave/contract';
import type { Logger } from '../logger.js';
import { rawErrorResponse, sendBareError } from './bare-errors.js';
import { declaresMoreThan } from './body-size.js';
import { BODY_TOO_LARGE } from './errors.js';
import { closeLingering } from './lingering-close.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

// RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400. Node's own check answers it with
// an empty body, so the server is made with `requireHostHeader: false` and the check is here.
function lacksHost(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined;
}

/**
 * Serves `app` on `server`, answering in the API's error format the requests Node would
 * otherwise answer itself with an empty status line (no Host, an unknown `Expect`) or a
 * dropped connection (CONNECT). `maxBodyBytes` refuses an `Expect: 100-continue` upload
 * before the client sends it.
 */
export function serveBehindGate(
  server: Server,
  app: Handler,
  maxBodyBytes: number,
  logger: Logger,
): void {
  const refuse = (req: IncomingMessage, res: ServerResponse, status: ErrorStatus, why: string) => {
    logger.warn({ method: req.method, status_code: status, reason: why }, 'refused before routing');
    sendBareError(res, status, why);
  };
  const refusedForHost = (req: IncomingMessage, res: ServerResponse) => {
    if (!lacksHost(req)) return false;
    refuse(req, res, 400, 'An HTTP/1.1 request must have a Host header');
    return true;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!refusedForHost(req, res)) app(req, res);
  });

  // The client waits for `100 Continue` before sending its body: one announced as too large
  // is refused before a byte of it travels.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (refusedForHost(req, res)) return;
    if (declaresMoreThan(req, maxBodyBytes)) {
      refuse(req, res, 413, BODY_TOO_LARGE);
      return;
    }
    // What Node does when nobody listens for checkContinue.
    res.writeContinue();
    server.emit('request', req, res);
  });

  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    if (refusedForHost(req, res)) return;
    refuse(req, res, 417, 'The only expectation supported is 100-continue');
  });

  // Without a listener Node destroys a CONNECT's socket unanswered. (An `Upgrade:` request
  // needs nothing here: with no 'upgrade' listener Node 20, 22 and 24 serve it as a plain
  // request.)
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    // Node has removed its own error listener: a reset from the peer would crash the process.
    socket.on('error', () => socket.destroy());
    logger.warn({ method: req.method, status_code: 405 }, 'refused before routing');
    // A 405 must list what is allowed; for an authority (host:port) target that is nothing.
    socket.write(rawErrorResponse(405, 'CONNECT is not supported', { Allow: '' }));
    // Whatever the client sends meanwhile is discarded, so closing cannot turn into a reset
    // that loses the answer.
    closeLingering(socket as Socket);
  });
}
