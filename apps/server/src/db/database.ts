import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database, Db } from './schema.js';

export interface DatabaseOptions {
  /** A PostgreSQL URL, or undefined for the embedded database. */
  url: string | undefined;
  /** The embedded database's folder; `memory://` keeps it in memory only. */
  dataDir: string;
  poolMax: number;
}

export interface OpenedDatabase {
  db: Db;
  /** Where the data lives, safe to log: never the URL's credentials. */
  description: string;
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

/** Opens PostgreSQL when a URL is given, else the embedded PostgreSQL in `dataDir`. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  if (options.url !== undefined) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax,
      types: pgTypes,
    });
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      description: `postgresql ${describeUrl(options.url)}`,
    };
  }
  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(inMemory ? undefined : options.dataDir);
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
