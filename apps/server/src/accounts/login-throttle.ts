import { sql } from 'kysely';
import type { Db } from '../db/schema.js';

/**
 * A counter of login attempts under one key, and how many a window allows; a key that does
 * not `refuse` only counts (its count slows attempts down instead, see password-attempts.ts).
 */
export interface ThrottleKey {
  key: string;
  limit: number;
  refuse?: boolean;
}

/** Whether the attempt may go on, and each key's count including it, in the keys' order. */
export type ThrottleVerdict = (
  { allowed: true } | { allowed: false; retryAfterSeconds: number }
) & { failures: number[] };

// Expired windows are swept now and then rather than on every attempt.
const SWEEP_EVERY = 256;
let attemptsSinceSweep = 0;

/**
 * Counts an attempt against every key before the password is checked, so concurrent guesses
 * cannot slip past the limit together; a successful login then takes its attempt back
 * ({@link forgiveAttempt}). Each window is fixed: it starts at the first attempt after the
 * previous one ended.
 */
export async function countAttempt(
  db: Db,
  keys: readonly ThrottleKey[],
  windowSeconds: number,
): Promise<ThrottleVerdict> {
  const window = sql<Date>`make_interval(secs => ${windowSeconds})`;
  const expired = sql<boolean>`login_failures.window_started_at <= now() - ${window}`;
  let retryAfterSeconds = 0;
  const failures: number[] = [];
  for (const { key, limit, refuse = true } of keys) {
    const counted = await db
      .insertInto('login_failures')
      .values({ key, failures: 1, window_started_at: sql<Date>`now()` })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          failures: sql<number>`case when ${expired} then 1 else login_failures.failures + 1 end`,
          window_started_at: sql<Date>`case when ${expired} then now() else login_failures.window_started_at end`,
        }),
      )
      .returning([
        'failures',
        sql<number>`ceil(extract(epoch from window_started_at + ${window} - now()))::int`.as(
          'remaining',
        ),
      ])
      .executeTakeFirstOrThrow();
    failures.push(counted.failures);
    if (refuse && counted.failures > limit) {
      retryAfterSeconds = Math.max(retryAfterSeconds, counted.remaining, 1);
    }
  }
  attemptsSinceSweep += 1;
  if (attemptsSinceSweep >= SWEEP_EVERY) {
    attemptsSinceSweep = 0;
    await db
      .deleteFrom('login_failures')
      .where('window_started_at', '<', sql<Date>`now() - ${window}`)
      .execute();
  }
  return retryAfterSeconds === 0
    ? { allowed: true, failures }
    : { allowed: false, retryAfterSeconds, failures };
}

/**
 * Takes back a successful login's attempt: the account's failures are cleared (its owner got
 * in), the address keeps its others (it may still be guessing at other accounts).
 */
export async function forgiveAttempt(db: Db, accountKeys: readonly string[], addressKey: string) {
  await db.deleteFrom('login_failures').where('key', 'in', accountKeys).execute();
  await db
    .updateTable('login_failures')
    .set({ failures: sql<number>`greatest(failures - 1, 0)` })
    .where('key', '=', addressKey)
    .execute();
}
