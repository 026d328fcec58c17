import type { Response } from 'express';
import type { StoredAnswer } from '../idempotency/idempotency-keys.js';

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
