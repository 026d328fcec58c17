import { inject } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import type { Db } from '../src/db/schema.js';
import { openFromSnapshot } from './embedded-snapshot.js';
import { prepareTestSchema } from './test-schema.js';

/** The run's database (see global-setup.ts): shared PostgreSQL, or an embedded one per call. */
export async function openTestDatabase(): Promise<Db> {
  const url = inject('databaseUrl');
  if (url !== null) {
    const preparedStatements = inject('databasePrepared');
    const transactionPooler = inject('databasePooled');
    const options = { url, dataDir: '', poolMax: 10, preparedStatements, transactionPooler };
    return (await openDatabase(options)).db;
  }
  const snapshot = inject('embeddedSnapshot');
  if (snapshot !== null) return openFromSnapshot(snapshot);
  const { db } = await openDatabase({ url: undefined, dataDir: 'memory://', poolMax: 1 });
  await prepareTestSchema(db);
  return db;
}

/** The run's PostgreSQL database, or undefined when the run uses the embedded database. */
export function testDatabaseUrl(): string | undefined {
  return inject('databaseUrl') ?? undefined;
}

/** Whether the run uses real PostgreSQL (concurrency behaves as in production) or PGlite. */
export function usingPostgres(): boolean {
  return inject('databaseUrl') !== null;
}
