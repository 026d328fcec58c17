import { readFileSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from '../src/db/embedded/pglite-dialect.js';
import { PGLITE_OPTIONS } from '../src/db/embedded/pglite-open.js';
import type { Database, Db } from '../src/db/schema.js';
import { prepareTestSchema } from './test-schema.js';

// On the embedded database each test file gets a database of its own. Made from nothing, one
// costs an initdb and every migration (seconds of CPU each, most of an embedded run); the run
// makes one once, and every file starts from a copy of its folder.

/** Makes the run's migrated embedded database and writes its folder, as a tarball, to `file`. */
export async function writeEmbeddedSnapshot(file: string): Promise<void> {
  const client = await PGlite.create(undefined, PGLITE_OPTIONS);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  try {
    await prepareTestSchema(db);
    writeFileSync(file, Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()));
  } finally {
    await db.destroy();
  }
}

/** A database of its own, in memory, started from the run's snapshot. */
export function openFromSnapshot(file: string): Db {
  const loadDataDir = new Blob([readFileSync(file)]);
  const client = PGlite.create({ ...PGLITE_OPTIONS, loadDataDir });
  // A failure to start reaches the first query rather than going unhandled.
  client.catch(() => undefined);
  return new Kysely<Database>({ dialect: new PGliteDialect(client) });
}
