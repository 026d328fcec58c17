import {
  errorBody,
  IDEMPOTENCY_KEY_IN_FLIGHT_MESSAGE,
  IDEMPOTENCY_KEY_REUSED_MESSAGE,
} from '@enclave/contract';
import type { Response } from 'express';
import type { KeyedOutcome, StoredAnswer } from '../idempotency/idempotency-keys.js';

/**
 * Sets a stored answer's headers on a retry's response, marked as a replay, and gives its
 * body back for the route to send. `Body` is the type of what the route answered the first
 * time, which is what was stored (a route's key is its own: `tasks.create`).
 */
export function replay<Body>(res: Response, stored: StoredAnswer): Body {
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader('Idempotent-Replayed', 'true');
  return JSON.parse(stored.body) as Body;
}

/** 422: the key was first used with another request. */
export const keyReused = {
  status: 422,
  body: errorBody(422, IDEMPOTENCY_KEY_REUSED_MESSAGE),
} as const;

/**
 * What a request with an Idempotency-Key answers when its work did not run now, the same on
 * every keyed route: the first request's stored answer, replayed with `status`; 422 for a key
 * used with another request; 409 with Retry-After while the first is still being processed.
 */
export function answerNotRun<Body, Status extends number>(
  res: Response,
  outcome: Exclude<KeyedOutcome<unknown>, { kind: 'done' }>,
  status: Status,
) {
  switch (outcome.kind) {
    case 'replay':
      return { status, body: replay<Body>(res, outcome.stored) };
    case 'reused':
      return keyReused;
    case 'in-flight':
      res.setHeader('Retry-After', '1');
      return { status: 409 as const, body: errorBody(409, IDEMPOTENCY_KEY_IN_FLIGHT_MESSAGE) };
  }
}
