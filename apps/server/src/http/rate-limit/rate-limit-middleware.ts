import type { Request, RequestHandler, Response } from 'express';
import { sendError } from '../errors.js';
import { policyField, retryAfterSeconds, stateField } from './rate-limit-headers.js';
import type { BucketPolicy, BucketStore } from './token-bucket.js';

export interface Limit {
  /** Names the policy in the RateLimit headers. */
  name: string;
  policy: BucketPolicy;
  store: BucketStore;
  /** Whose bucket a request takes from. */
  keyOf(req: Request, res: Response): string;
}

const seconds = (count: number) => `${count} second${count === 1 ? '' : 's'}`;

/**
 * The answer of every limit on a user's or an address's requests: 429 in the error format,
 * with `Retry-After` in whole seconds, which the message repeats.
 */
export function sendTooManyRequests(res: Response, waitSeconds: number, why = 'Too many requests') {
  res.setHeader('Retry-After', String(waitSeconds));
  sendError(res, 429, `${why}; try again in ${seconds(waitSeconds)}`);
}

/** Takes a token per request: answered 429 without one; the RateLimit headers either way. */
export function rateLimit(limit: Limit): RequestHandler {
  const policy = policyField(limit.name, limit.policy);
  return (req, res, next) => {
    limit.store.take(limit.keyOf(req, res)).then((verdict) => {
      // The store could not answer: the request goes on, and no header claims a count.
      if (verdict === undefined) {
        next();
        return;
      }
      res.setHeader('RateLimit-Policy', policy);
      res.setHeader('RateLimit', stateField(limit.name, limit.policy, verdict.tokens));
      if (verdict.allowed) {
        next();
        return;
      }
      sendTooManyRequests(res, retryAfterSeconds(limit.policy, verdict.tokens));
    }, next);
  };
}
