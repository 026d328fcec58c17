// Behind a transaction pooler (DATABASE_POOLER=transaction) the pool SETs nothing: a SET would
// stay on one server connection for the pooler's other clients. The timeouts are the role's.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { openDatabase } from '../database.js';
import { warnOnPooledTimeouts } from './pooled-timeouts.js';
import type { Db } from '../schema.js';
import { DEFAULT_DATABASE_TIMEOUTS } from './timeouts.js';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) throw new Error('*.pg.test.ts runs only against PostgreSQL');

// Values no server or database of the run has, so an answer of them can only be our SET.
const ours = { ...DEFAULT_DATABASE_TIMEOUTS, statementMs: 1234, idleInTransactionMs: 5678 };
let db: Db;

beforeAll(async () => {
  ({ db } = await openDatabase({
    url: databaseUrl,
    dataDir: '',
    poolMax: 2,
    timeouts: ours,
    transactionPooler: true,
  }));
});

afterAll(async () => {
  await db.destroy();
});

describe('a pool behind a transaction pooler', () => {
  it('sets no timeout on its connections: the server runs with its own', async () => {
    const { rows } = await sql<{ statement: string; idle: string }>`
      select current_setting('statement_timeout') as statement,
             current_setting('idle_in_transaction_session_timeout') as idle
    `.execute(db);
    expect(rows[0]?.statement).not.toBe('1234ms');
    expect(rows[0]?.idle).not.toBe('5678ms');
  });

  it('warns at start, naming the ALTER ROLE to run, when the server has other timeouts', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    await warnOnPooledTimeouts(db, ours, logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, event: 'pooled_timeouts' });
    expect(String(lines[0]?.msg)).toContain('ALTER ROLE <role> SET statement_timeout = 1234');
    expect(String(lines[0]?.msg)).toContain('idle_in_transaction_session_timeout = 5678');
  });

  it('says nothing when the server has the same timeouts', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const { rows } = await sql<{ name: string; setting: string }>`
      select name, setting from pg_settings
      where name in ('statement_timeout', 'idle_in_transaction_session_timeout')
    `.execute(db);
    const setting = (name: string) => Number(rows.find((row) => row.name === name)?.setting);
    await warnOnPooledTimeouts(
      db,
      {
        ...ours,
        statementMs: setting('statement_timeout'),
        idleInTransactionMs: setting('idle_in_transaction_session_timeout'),
      },
      logger,
    );
    expect(lines).toEqual([]);
  });
});
