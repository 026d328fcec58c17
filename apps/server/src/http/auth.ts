import type { RequestHandler, Response } from 'express';
import { verifyAccessToken } from '../auth/verify-token.js';
import type { JwtConfig } from '../config.js';
import { sendError } from './errors.js';

const BEARER = /^Bearer +([^\s]+) *$/i;

function unauthorized(res: Response, message: string, invalidToken: boolean) {
  res.setHeader(
    'WWW-Authenticate',
    invalidToken ? 'Bearer realm="enclave", error="invalid_token"' : 'Bearer realm="enclave"',
  );
  sendError(res, 401, message);
}

/**
 * Guards `/api/:user_id/...`: a valid bearer token is required (401), and its subject must be
 * the path's user (403). Runs before body parsing and validation, so an anonymous caller learns
 * nothing about a route beyond "authenticate first".
 */
export function requirePathOwner(config: JwtConfig): RequestHandler<{ user_id: string }> {
  return (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (match?.[1] === undefined) {
      unauthorized(
        res,
        'Missing or malformed Authorization header: expected "Bearer <token>"',
        false,
      );
      return;
    }
    const verdict = verifyAccessToken(match[1], config);
    if (!verdict.ok) {
      unauthorized(res, verdict.reason, true);
      return;
    }
    if (verdict.userId !== req.params.user_id) {
      sendError(res, 403, "The token's user may not access another user's resources");
      return;
    }
    res.locals.userId = verdict.userId;
    next();
  };
}

/** The owner established by {@link requirePathOwner} for this request. */
export function authenticatedUser(res: Response): string {
  const userId: unknown = res.locals.userId;
  if (typeof userId !== 'string') {
    // Reaching a handler without the guard is a wiring bug, never a client error.
    throw new Error('authenticatedUser() called on a route without requirePathOwner');
  }
  return userId;
}
