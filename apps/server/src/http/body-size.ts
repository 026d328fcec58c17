import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, RequestHandler, Response } from 'express';
import { BODY_TOO_LARGE, sendError } from './errors.js';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/**
 * BODY_LIMIT (`100kb`, `1mb`; config.ts accepts only these units) in bytes, with the 1024
 * multiples body-parser's `bytes` uses; the parser is then given this number, so both agree.
 */
export function bodyLimitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  const unit = UNITS[match?.[2]?.toLowerCase() ?? ''];
  if (match === null || unit === undefined) throw new Error(`Not a body size: ${limit}`);
  return Number(match[1]) * unit;
}

/** Whether the request announces, by Content-Length, a body over `maxBytes`. */
export function declaresMoreThan(req: IncomingMessage, maxBytes: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > maxBytes;
}

// Node keeps a connection alive by reading and discarding whatever body a handler left unread,
// all 50 MB of it if that is what was announced. `Connection: close` makes it close instead.
function refuseTooLarge(res: Response): void {
  res.setHeader('Connection', 'close');
  sendError(res, 413, BODY_TOO_LARGE);
}

/** 413 before anything else for a request whose Content-Length is over the limit. */
export function refuseDeclaredOversize(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    if (declaresMoreThan(req, maxBytes)) {
      refuseTooLarge(res);
      return;
    }
    next();
  };
}

type Parser = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Runs body-parser's `parse`, but answers 413 the moment more than `maxBytes` have arrived: a
 * chunked body has no Content-Length to refuse early, and body-parser reports an overflow only
 * after reading the whole rest of the body.
 */
export function parseWithin(
  maxBytes: number,
  parse: Parser,
): (req: IncomingMessage, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    // Without a body (a GET, a DELETE) there is nothing to count, and a 'data' listener would
    // switch the request stream to flowing mode for nothing.
    if (
      req.headers['transfer-encoding'] === undefined &&
      req.headers['content-length'] === undefined
    ) {
      parse(req, res, next);
      return;
    }
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        req.off('data', count);
        refuseTooLarge(res);
      }
    };
    // Attached in the same tick as the parser's own listener (data flows from the next tick
    // on), so both see every chunk.
    req.on('data', count);
    parse(req, res, (error?: unknown) => {
      req.off('data', count);
      // After an early 413 the parser still reports the overflow, once the socket has closed.
      if (res.headersSent) return;
      next(error);
    });
  };
}
