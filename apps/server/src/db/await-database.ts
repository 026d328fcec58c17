import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { unavailableReason } from './postgres/availability.js';

export interface AwaitDatabaseOptions<T> {
  /** Connects and migrates; rejects with the driver's error when it cannot. */
  attempt: () => Promise<T>;
  logger: Logger;
  /** Stops waiting (a shutdown began): resolves undefined. */
  signal: AbortSignal;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** 0..1 → 0..1, for jitter; a test passes a constant. */
  random?: () => number;
}

/**
 * Runs `attempt` until the database lets it succeed, waiting between tries with a capped,
 * jittered exponential backoff (so a fleet restarting together does not knock in step), and
 * logging each failure. An error that is not about reaching the database (a failing migration,
 * a wrong password, a missing database) is not retried: it is rethrown for the caller to stop.
 */
export async function awaitDatabase<T>(options: AwaitDatabaseOptions<T>): Promise<T | undefined> {
  const { attempt, logger, signal } = options;
  const firstDelayMs = options.firstDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const random = options.random ?? Math.random;
  for (let tries = 1; !signal.aborted; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const reason = unavailableReason(error);
      if (reason === undefined) throw error;
      const ceiling = Math.min(maxDelayMs, firstDelayMs * 2 ** (tries - 1));
      const delayMs = Math.round(ceiling * (0.5 + random() / 2));
      logger.warn(
        { event: 'database_not_ready', attempt: tries, reason, retry_in_ms: delayMs, err: error },
        'database not reachable yet; retrying',
      );
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
