import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { sendError } from './errors.js';

// Typed by what it uses, so it fits both plain Express and ts-rest's typed requests.
type BodyMiddleware = (
  req: IncomingMessage & Pick<Request, 'is'>,
  res: Response,
  next: NextFunction,
) => void;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

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
  return [requireJson, express.json({ limit, strict: true })];
}
