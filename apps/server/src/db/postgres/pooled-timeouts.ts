import { sql } from 'kysely';
import type { Logger } from '../../logger.js';
import type { Db } from '../schema.js';
import type { DatabaseTimeouts } from './timeouts.js';

/**
 * Behind a transaction pooler Enclave SETs nothing (pg-pool.ts): its timeouts must be the
 * database role's. Warns once at start when the server connection it meets has others, since
 * a statement past DB_STATEMENT_TIMEOUT_MS would then be cut by the client-side deadline alone,
 * which drops the connection and opens an incident rather than failing one request.
 */
export async function warnOnPooledTimeouts(
  db: Db,
  timeouts: DatabaseTimeouts,
  logger: Logger,
): Promise<void> {
  try {
    const { rows } = await sql<{ name: string; setting: string }>`
      select name, setting from pg_settings
      where name in ('statement_timeout', 'idle_in_transaction_session_timeout')
    `.execute(db);
    const found = Object.fromEntries(rows.map((row) => [row.name, Number(row.setting)]));
    const expected = {
      statement_timeout: timeouts.statementMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    };
    const differ = Object.entries(expected).filter(([name, ms]) => ms > 0 && found[name] !== ms);
    if (differ.length === 0) return;
    logger.warn(
      { event: 'pooled_timeouts', server: found, expected },
      `behind a transaction pooler the timeouts are the database role's: ${differ
        .map(([name, ms]) => `ALTER ROLE <role> SET ${name} = ${ms}`)
        .join('; ')} (docs/scaling.md)`,
    );
  } catch (error) {
    logger.warn({ event: 'pooled_timeouts', err: error }, 'could not read the server timeouts');
  }
}
