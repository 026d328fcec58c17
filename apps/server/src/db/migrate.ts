import { readdir } from 'node:fs/promises';
import {
  Migrator,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';

const MIGRATIONS = new URL('./migrations/', import.meta.url);
// `0006-conventional-names.ts` beside the sources, `.js` in the build; `.d.ts` and maps are
// neither, since a name holds no dot.
const MIGRATION_FILE = /^(\d{4}-[a-z0-9-]+)\.(?:ts|js)$/;

/**
 * The migrations folder is the list: a migration is its file, named so that names sort in
 * the order they must run. The same code reads the TypeScript sources (tests) and the build.
 */
export async function migrationFiles(): Promise<Map<string, URL>> {
  const files = new Map<string, URL>();
  for (const entry of (await readdir(MIGRATIONS)).sort()) {
    const name = MIGRATION_FILE.exec(entry)?.[1];
    if (name === undefined) continue;
    if (files.has(name)) throw new Error(`Migration ${name} exists twice`);
    files.set(name, new URL(entry, MIGRATIONS));
  }
  return files;
}

/** The name of every migration, in the order they run. */
export async function migrationNames(): Promise<string[]> {
  return [...(await migrationFiles()).keys()];
}

const folderProvider: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const [name, url] of await migrationFiles()) {
      migrations[name] = (await import(url.href)) as Migration;
    }
    return migrations;
  },
};

// Generic so any Kysely instance fits: the migrator works below the typed schema.
function migrator<T>(db: Kysely<T>) {
  return new Migrator({ db, provider: folderProvider });
}

function unwrap({ error, results }: MigrationResultSet) {
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('Migration failed', { cause: error });
  }
  return results ?? [];
}

/** Applies every pending migration; safe to run from several processes at once. */
export async function migrateToLatest<T>(db: Kysely<T>) {
  return unwrap(await migrator(db).migrateToLatest());
}

/** Reverts the most recent migration. */
export async function migrateDown<T>(db: Kysely<T>) {
  return unwrap(await migrator(db).migrateDown());
}
