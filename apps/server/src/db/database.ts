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

/** Opens PostgreSQL when a URL is given, else the embedded PostgreSQL in `dataDir`. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenedDatabase> {
  if (options.url !== undefined) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax });
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
