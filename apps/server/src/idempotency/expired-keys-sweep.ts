import { sql } from 'kysely';
import type { Db } from '../db/schema.js';
import type { Logger } from '../logger.js';

// Expired answers are already invisible (a lookup ignores them); the sweep only keeps the
// table small. It deletes a batch at a time, oldest first, skipping rows a request has locked
// (one replacing an expired answer), so it never waits on a request and no request waits
// long on it. Every instance may sweep; SKIP LOCKED keeps them out of each other's way.
//
// The one statement of the server that spans owners, on purpose: expiry is the same for all.
// The tests' owner-scope check exempts exactly this text (test/owner-scope.setup.ts).
const BATCH = 500;
export const EXPIRED_KEYS_SWEEP =
  'delete from "idempotency_keys" where ("user_id", "route", "key") in (select "user_id", ' +
  '"route", "key" from "idempotency_keys" where "expires_at" <= now() order by "expires_at" ' +
  `limit ${BATCH} for update skip locked)`;

/** Deletes expired answers, a batch at a time, up to `maxBatches`; returns how many. */
export async function sweepExpiredKeys(db: Db, maxBatches = 20): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const { numAffectedRows } = await sql.raw(EXPIRED_KEYS_SWEEP).execute(db);
    const count = Number(numAffectedRows ?? 0n);
    deleted += count;
    if (count < BATCH) break;
  }
  return deleted;
}

/**
 * Sweeps every `intervalMs` (first after one interval), in the background: a failure (the
 * database away) is logged and the next turn tries again. Returns what stops it.
 */
export function scheduleExpiredKeysSweep(db: Db, logger: Logger, intervalMs = 10 * 60_000) {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = sweepExpiredKeys(db)
      .then((deleted) => {
        if (deleted > 0) logger.info({ deleted }, 'expired idempotency keys swept');
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'sweeping expired idempotency keys failed; will retry');
      })
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  // A sweep under way is left to finish or fail with the database handle: shutdown must not
  // wait on a database that may not answer.
  return () => clearInterval(timer);
}
