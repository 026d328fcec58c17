import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { ChangeHub } from './change-hub.js';

/** The channel instances tell each other on which owners wrote: `{"from": id, "owners": [...]}`. */
export const CHANGES_CHANNEL = 'enclave_changes';

// NOTIFY's payload limit is 8000 bytes; a batch stays well under it.
const MAX_PAYLOAD = 7000;

/**
 * Tells the other instances, after a write has committed, whose streams to wake: owners are
 * gathered for a few milliseconds and sent in one NOTIFY per batch, so writes pay nothing but
 * a Set insert, and NOTIFY's commit-time lock is taken by one short statement per batch rather
 * than by every writing transaction. This instance's own streams are woken directly.
 */
export function changeNotifier(db: Db, instance: string, logger: Logger, batchMs = 5) {
  const owners = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    timer = undefined;
    const batch = [...owners];
    owners.clear();
    while (batch.length > 0) {
      const part: string[] = [];
      let size = 0;
      while (batch.length > 0 && size + batch[0]!.length + 4 < MAX_PAYLOAD) {
        size += batch[0]!.length + 4;
        part.push(batch.shift()!);
      }
      if (part.length === 0) part.push(batch.shift()!);
      const payload = JSON.stringify({ from: instance, owners: part });
      await sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`.execute(db);
    }
  };
  return (owner: string) => {
    owners.add(owner);
    timer ??= setTimeout(() => {
      flush().catch((error: unknown) =>
        // The safety poll finds these changes anyway, a little later.
        logger.warn({ err: error }, 'change notifier: NOTIFY failed; the poll will catch up'),
      );
    }, batchMs);
  };
}

/**
 * Wakes this process's streams when another instance (or anything else) writes: one LISTEN
 * per process on a connection of its own, never one per stream. LISTEN needs a session that
 * stays on one server connection, so not a transaction pooler's (DATABASE_LISTEN_URL). A lost
 * connection is made again with backoff; as notifications may have been missed meanwhile,
 * every stream then reads again. Returns what stops it.
 */
export function listenForChanges(
  url: string,
  hub: ChangeHub,
  logger: Logger,
  instance: string,
): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    const next = new pg.Client({ connectionString: url, keepAlive: true });
    client = next;
    next.on('notification', ({ payload }) => {
      try {
        const { from, owners } = JSON.parse(payload ?? '') as { from: string; owners: string[] };
        if (from === instance) return; // this instance woke its own streams already
        for (const owner of owners) hub.wake(owner);
      } catch {
        hub.wakeAll(); // not ours to read: look again everywhere
      }
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'change listener: connection lost; reconnecting');
      again(next);
    });
    next.on('end', () => again(next));
    try {
      await next.connect();
      await next.query(`listen ${CHANGES_CHANNEL}`);
      if (failures > 0) logger.info('change listener: listening again');
      failures = 0;
      hub.wakeAll();
    } catch (error) {
      if (failures === 0) logger.warn({ err: error }, 'change listener: cannot listen; retrying');
      again(next);
    }
  };
  const again = (lost: pg.Client) => {
    if (stopped || lost !== client || retry !== undefined) return;
    client = undefined;
    lost.removeAllListeners('end');
    lost.end().catch(() => undefined);
    failures += 1;
    const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6));
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref();
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}

// The safety poll's statements span owners on purpose (which owners wrote lately), and return
// owner ids and positions only; the tests' owner-scope check exempts exactly these texts.
export const CHANGES_HIGH_WATER =
  'select coalesce(max("position"), 0) as "position" from "changes"';
export const CHANGES_SINCE =
  'select "user_id", max("position") as "position" from "changes" where "position" > $1 group by "user_id"';

/** How many polls back the safety poll looks, for writes that commit after a later one. */
const LOOKBACK = 4;

/**
 * The safety net under NOTIFY (and the embedded database's wake-up for writes it did not see
 * being made): every `intervalMs`, which owners have changes since a few polls ago, waking
 * the streams here of those that are behind. Cheap: it reads only the log's newest positions,
 * by index. Returns what stops it.
 */
export function pollForChanges(db: Db, hub: ChangeHub, intervalMs: number, logger: Logger) {
  const marks: number[] = [];
  let running = false;
  // With no streams open it only keeps the high-water mark, so a stream that opens finds the
  // lookback already covering the moment before it did (its own first read covers the rest).
  const highWater = async () => {
    const { rows } = await sql.raw<{ position: number }>(CHANGES_HIGH_WATER).execute(db);
    return Number(rows[0]?.position ?? 0);
  };
  const poll = async () => {
    if (hub.openStreams === 0 || marks.length === 0) {
      marks.splice(0, marks.length, await highWater());
      return;
    }
    const from = marks[0]!;
    const { rows } = await db.executeQuery<{ user_id: string; position: number }>(
      CompiledQuery.raw(CHANGES_SINCE, [from]),
    );
    let high = marks.at(-1)!;
    for (const { user_id, position } of rows) {
      high = Math.max(high, Number(position));
      if (hub.hasStreams(user_id)) hub.wake(user_id, Number(position));
    }
    marks.push(high);
    if (marks.length > LOOKBACK) marks.shift();
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    poll()
      .catch((error: unknown) => logger.warn({ err: error }, 'change poll failed; will retry'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
