import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as createTasks from './migrations/0001-create-tasks.js';
import * as createProjects from './migrations/0002-create-projects.js';
import * as tasksInProjects from './migrations/0003-tasks-in-projects.js';
import * as createNotes from './migrations/0004-create-notes.js';
import * as createAccounts from './migrations/0005-create-accounts.js';
// new:resource imports here

// Listed, not read from a folder, so the same list works from TypeScript sources and from the
// compiled build. Names sort in the order they must run.
const migrations: Record<string, Migration> = {
  '0001-create-tasks': createTasks,
  '0002-create-projects': createProjects,
  '0003-tasks-in-projects': tasksInProjects,
  '0004-create-notes': createNotes,
  '0005-create-accounts': createAccounts,
  // new:resource inserts here
};

// Generic so any Kysely instance fits: the migrator works below the typed schema.
/** The name of every migration, in the order they run. */
export const migrationNames = Object.keys(migrations).sort();

function migrator<T>(db: Kysely<T>) {
  return new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
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
