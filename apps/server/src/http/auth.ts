import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { TokenFacts } from '../auth/claims.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
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
 * The request's verified user, or undefined once a 401 has been sent. Express 4 does not catch
 * a rejected promise, so the caller passes failures on to `next`.
 */
async function authenticate(
  verify: TokenVerifier,
  req: Request,
  res: Response,
): Promise<TokenFacts | undefined> {
  const match = BEARER.exec(req.headers.authorization ?? '');
  if (match?.[1] === undefined) {
    unauthorized(
      res,
      'Missing or malformed Authorization header: expected "Bearer <token>"',
      false,
    );
    return undefined;
  }
  const verdict = await verify(match[1]);
  if (!verdict.ok) {
    unauthorized(res, verdict.reason, true);
    return undefined;
  }
  return verdict;
}

function guard(
  verify: TokenVerifier,
  admit: (userId: string, req: Request, res: Response) => boolean,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    authenticate(verify, req, res).then((facts) => {
      if (facts === undefined || !admit(facts.userId, req, res)) return;
      res.locals.userId = facts.userId;
      res.locals.sessionId = facts.sessionId;
      next();
    }, next);
  };
}

/** Guards `/auth/me` and the like: a valid bearer token is required (401). */
export function requireUser(verify: TokenVerifier): RequestHandler {
  return guard(verify, () => true);
}

/**
 * Guards `/api/:user_id/...`: a valid bearer token is required (401), and its user must be the
 * path's user (403). Runs before body parsing and validation, so an anonymous caller learns
 * nothing about a route beyond "authenticate first".
 */
export function requirePathOwner(verify: TokenVerifier): RequestHandler<{ user_id: string }> {
  return guard(verify, (userId, req, res) => {
    if (userId === req.params.user_id) return true;
    sendError(res, 403, "The token's user may not access another user's resources");
    return false;
  }) as RequestHandler<{ user_id: string }>;
}

/** The user established by {@link requirePathOwner} or {@link requireUser} for this request. */
export function authenticatedUser(res: Response): string {
  const userId: unknown = res.locals.userId;
  if (typeof userId !== 'string') {
    // Reaching a handler without the guard is a wiring bug, never a client error.
    throw new Error('authenticatedUser() called on a route without an authentication guard');
  }
  return userId;
}

/** The built-in session (sign-in) of this request's access token, if it names one. */
export function authenticatedSession(res: Response): string | undefined {
  const sessionId: unknown = res.locals.sessionId;
  return typeof sessionId === 'string' ? sessionId : undefined;
}
