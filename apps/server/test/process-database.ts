import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import type { Db } from '../src/db/schema.js';

// The database a test's server processes share: the run's PostgreSQL database, or a fresh
// embedded data folder per call (removed by removeDataFolders, after the processes stop).

const folders: string[] = [];

/** The environment that points a server process at the test's database. */
export function processDatabaseEnv(prefix: string): Record<string, string> {
  const databaseUrl = inject('databaseUrl');
  if (databaseUrl !== null) return { DATABASE_URL: databaseUrl };
  const folder = mkdtempSync(join(tmpdir(), `enclave-${prefix}-`));
  folders.push(folder);
  return { DATA_DIR: folder };
}

/** Opens the database of `env` (with no server process holding it) for `read`, then closes it. */
export async function readDatabaseOf<T>(
  env: Record<string, string>,
  read: (db: Db) => Promise<T>,
): Promise<T> {
  const { db } = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: env.DATA_DIR ?? '',
    poolMax: 1,
    preparedStatements: inject('databasePrepared'),
  });
  try {
    return await read(db);
  } finally {
    await db.destroy();
  }
}

export function removeDataFolders(): void {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}
