import type { AccountsConfig } from '../auth/auth-config.js';
import type { Db } from '../db/schema.js';
import { countAttempt, forgiveAttempt } from './login-throttle.js';

/** What proving a password came to. */
export type AttemptOutcome =
  { kind: 'ok' } | { kind: 'wrong' } | { kind: 'throttled'; retryAfterSeconds: number };

export interface Attempt {
  db: Db;
  throttle: AccountsConfig['throttle'];
  /** The account's email, normalised: the throttle's key for it (whether or not it exists). */
  email: string;
  /** The client's address as the rate limiter keys it (`addressKey`: an IPv6 /64). */
  address: string;
  /** Waits before the check (tests pass their own). */
  sleep?: (ms: number) => Promise<void>;
}

const STEP_MS = 250;
const MAX_DELAY_MS = 2_000;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How long an attempt on an account waits, given the account's failures from everywhere in
 * the window: nothing up to the limit, then a quarter second more per failure, up to two.
 */
export function accountDelayMs(failures: number, limit: number): number {
  return Math.min(Math.max(0, failures - limit) * STEP_MS, MAX_DELAY_MS);
}

/**
 * Proves a password (`check`) under the throttle: failures count per account and address
 * prefix (that pair is refused beyond the limit: one guesser, one account), per address
 * prefix (refused beyond its limit: one guesser, many accounts) and per account from every
 * address, which only slows each attempt down, so that guessers elsewhere can never stop the
 * owner signing in with the right password from their own address. Every attempt counts
 * before the check, so concurrent guesses cannot slip past together; a success takes it back.
 */
export async function attemptPassword(
  { db, throttle, email, address, sleep = pause }: Attempt,
  check: () => Promise<boolean>,
): Promise<AttemptOutcome> {
  const accountKey = `account:${email}`;
  const pairKey = `account:${email}|from:${address}`;
  const fromKey = `address:${address}`;
  const verdict = await countAttempt(
    db,
    [
      { key: pairKey, limit: throttle.maxFailuresPerAccount },
      { key: fromKey, limit: throttle.maxFailuresPerAddress },
      { key: accountKey, limit: throttle.maxFailuresPerAccount, refuse: false },
    ],
    throttle.windowSeconds,
  );
  if (!verdict.allowed) {
    return { kind: 'throttled', retryAfterSeconds: verdict.retryAfterSeconds };
  }
  const delay = accountDelayMs(verdict.failures[2] ?? 0, throttle.maxFailuresPerAccount);
  if (delay > 0) await sleep(delay);
  if (!(await check())) return { kind: 'wrong' };
  await forgiveAttempt(db, [accountKey, pairKey], fromKey);
  return { kind: 'ok' };
}
