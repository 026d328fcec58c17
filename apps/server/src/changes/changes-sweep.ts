import { CompiledQuery } from 'kysely';
import type { Db } from '../db/schema.js';
import type { Logger } from '../logger.js';

// Changes older than the retention go, oldest first, a batch at a time, so no statement holds
// many rows or runs long. Each batch records per owner the highest position it took (the
// owner's horizon): a cursor below it has lost changes and is answered 410; one at or above
// it has lost none, however old. Changes are never updated, so the sweep and the writers
// never wait on each other.
//
// The one statement here spans owners on purpose: retention is the same for all. The tests'
// owner-scope check exempts exactly this text (test/owner-scope.setup.ts).
const BATCH = 500;
export const CHANGES_SWEEP =
  'with "doomed" as (select "user_id", "position" from "changes" where "at" < now() - ' +
  `make_interval(secs => $1) order by "position" limit ${BATCH}), "gone" as (delete from ` +
  '"changes" where ("user_id", "position") in (select "user_id", "position" from "doomed") ' +
  'returning "user_id", "position"), "horizons" as (insert into "change_horizons" ' +
  '("user_id", "position") select "user_id", max("position") from "gone" group by "user_id" ' +
  'on conflict ("user_id") do update set "position" = greatest("change_horizons"."position", ' +
  '"excluded"."position")) select count(*) as "deleted" from "gone"';

/** Deletes changes older than `retentionSeconds`, a batch at a time, up to `maxBatches`. */
export async function sweepChanges(
  db: Db,
  retentionSeconds: number,
  maxBatches = 20,
): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const { rows } = await db.executeQuery<{ deleted: number | string }>(
      CompiledQuery.raw(CHANGES_SWEEP, [retentionSeconds]),
    );
    const count = Number(rows[0]?.deleted ?? 0);
    deleted += count;
    if (count < BATCH) break;
  }
  return deleted;
}

/**
 * Sweeps every `intervalMs` in the background; a failure is logged and the next turn tries
 * again. Returns what stops it.
 */
export function scheduleChangesSweep(
  db: Db,
  retentionSeconds: number,
  logger: Logger,
  intervalMs = 60_000,
) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepChanges(db, retentionSeconds)
      .then((deleted) => {
        if (deleted > 0) logger.info({ deleted }, 'expired changes swept');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'sweeping changes failed; will retry'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
