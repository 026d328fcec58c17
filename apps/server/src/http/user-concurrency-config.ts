/** How many of one user's requests are served at once, and how many wait, for how long. */
export interface UserConcurrencyConfig {
  /** Requests of one user served at the same time (DB_USER_CONCURRENCY). */
  concurrency: number;
  /** Requests of one user waiting for a turn; more are refused at once (DB_USER_QUEUE). */
  queue: number;
  /** The longest a request waits for its turn before it is refused (DB_USER_QUEUE_WAIT_MS). */
  waitMs: number;
}

/** Waiting requests per user, by default: a burst a browser or a script may well send. */
export const DEFAULT_USER_QUEUE = 32;
export const DEFAULT_USER_QUEUE_WAIT_MS = 1000;

/**
 * Requests per user served at once, by default: 4, or half the pool when that is less, so
 * that one user's requests always leave connections to everyone else's.
 */
export function defaultUserConcurrency(poolMax: number): number {
  return Math.min(4, Math.ceil(poolMax / 2));
}
