import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createLogger, type Logger } from '../logger.js';
import type { DatabaseAvailability } from './postgres/availability.js';
import { ResilientPool } from './postgres/pg-pool.js';
import { PGliteDialect } from './embedded/pglite-dialect.js';
import { openPGlite } from './embedded/pglite-open.js';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from './postgres/timeouts.js';
import type { Database, Db } from './schema.js';

export interface DatabaseOptions {
  /** A PostgreSQL URL, or undefined for the embedded database. */
  url: string | undefined;
  /** The embedded database's folder; `memory://` keeps it in memory only. */
  dataDir: string;
  poolMax: number;
  /** PostgreSQL only: named prepared statements (pg-pool.ts); on when absent. */
  preparedStatements?: boolean;
  /** PostgreSQL only: the bound on every wait (pg-pool.ts); defaults when absent. */
  timeouts?: DatabaseTimeouts;
  /** PostgreSQL only: reached through a transaction pooler, so nothing is SET (pg-pool.ts). */
  transactionPooler?: boolean;
  /** Where PostgreSQL outages are reported (once per incident); silent when absent. */
  logger?: Logger;
}

export interface OpenedDatabase {
  db: Db;
  /** Where the data lives, safe to log: never the URL's credentials. */
  description: string;
  /** PostgreSQL's availability as this process sees it; the embedded database has no outages. */
  availability?: DatabaseAvailability;
}

const INT8_OID = 20;

// int8 (ids, counts) arrives from node-postgres as text, because it can exceed JavaScript's
// exact integers; ids here never do (the API caps them at 2^53 - 1), so they become numbers,
// as the embedded database already returns them, and a value past that fails loudly.
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new RangeError('int8 value beyond the safe integer range');
  return value;
}

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

/**
 * Opens PostgreSQL when a URL is given, else the embedded PostgreSQL in `dataDir`. Nothing is
 * awaited: both connect on first use, so a server can listen before its database is there.
 */
export function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  return Promise.resolve(open(options));
}

function open(options: DatabaseOptions): OpenedDatabase {
  if (options.url !== undefined) {
    const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
    const pool = new ResilientPool({
      url: options.url,
      max: options.poolMax,
      connectTimeoutMs: timeouts.connectMs,
      acquireTimeoutMs: timeouts.acquireMs,
      statementTimeoutMs: timeouts.statementMs,
      idleInTransactionTimeoutMs: timeouts.idleInTransactionMs,
      transactionPooler: options.transactionPooler ?? false,
      types: pgTypes,
      logger: options.logger ?? createLogger('silent'),
      preparedStatements: options.preparedStatements ?? true,
    });
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      description: `postgresql ${describeUrl(options.url)}`,
      availability: pool.availability,
    };
  }
  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  // Not awaited: a first start runs initdb for seconds, and the server listens meanwhile. A
  // failure to start reaches the first query (the migration) rather than going unhandled.
  const client = openPGlite(inMemory ? undefined : options.dataDir);
  client.catch(() => undefined);
  return {
    db: new Kysely<Database>({ dialect: new PGliteDialect(client) }),
    description: inMemory ? 'embedded (in memory)' : `embedded at ${options.dataDir}`,
  };
}

/** host:port/database of a PostgreSQL URL, without user or password. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
