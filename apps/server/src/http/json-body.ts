import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { bodyLimitBytes, parseWithin } from './body-size.js';
import { INVALID_UTF8, sendError } from './errors.js';

// Typed by what it uses, so it fits both plain Express and ts-rest's typed requests.
type BodyMiddleware = (
  req: IncomingMessage & Pick<Request, 'is'>,
  res: Response,
  next: NextFunction,
) => void;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function clientError(message: string, type: string): Error {
  return Object.assign(new Error(message), { type });
}

// body-parser would decode bad bytes to U+FFFD and store that; `verify` sees the raw bytes
// first, and keeps a thrown error's `type` (errors.ts maps it to 400, not body-parser's 403).
function requireUtf8(_req: IncomingMessage, _res: unknown, body: Buffer, encoding: string) {
  // body-parser lets any `utf-*` charset through and decodes UTF-16 too; JSON is UTF-8 (RFC 8259).
  if (encoding !== 'utf-8') throw clientError('charset must be utf-8', 'charset.unsupported');
  if (!isUtf8(body)) throw clientError('body is not valid UTF-8', INVALID_UTF8);
}

/**
 * Body handling for the contract's routes: a write must send JSON, parsed within `limit`.
 * Without the type check a form or text body would reach validation as `{}` and earn a
 * misleading "field required" answer.
 */
export function jsonBody(limit: string): BodyMiddleware[] {
  const requireJson: BodyMiddleware = (req, res, next) => {
    if (METHODS_WITH_BODY.has(req.method ?? '')) {
      const type = req.is('application/json');
      // type-is reports "no body" (null) only without Content-Length; fetch and most clients
      // send `Content-Length: 0` for an empty POST, which deserves the same answer.
      if (type === null || (type === false && req.headers['content-length'] === '0')) {
        sendError(res, 400, 'A JSON request body is required');
        return;
      }
      if (type === false) {
        sendError(res, 400, 'Content-Type must be application/json');
        return;
      }
    }
    next();
  };
  const maxBytes = bodyLimitBytes(limit);
  const parse = express.json({ limit: maxBytes, strict: true, verify: requireUtf8 });
  return [requireJson, parseWithin(maxBytes, parse)];
}
