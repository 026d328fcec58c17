import { readdir } from 'node:fs/promises';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
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

/** Our lock replaces the migrator's: its session lock can outlive a pooled transaction. */
class UnlockedAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

/** Kysely over one connection already held, for the migrator to run inside our transaction. */
function onConnection(connection: DatabaseConnection): Kysely<unknown> {
  const dialect: Dialect = {
    createAdapter: () => new UnlockedAdapter(),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createDriver: () => ({
      init: async () => {},
      acquireConnection: () => Promise.resolve(connection),
      releaseConnection: async () => {},
      destroy: async () => {},
      beginTransaction: () => Promise.reject(new Error('the migration is one transaction')),
      commitTransaction: () => Promise.reject(new Error('the migration is one transaction')),
      rollbackTransaction: () => Promise.reject(new Error('the migration is one transaction')),
    }),
  };
  return new Kysely<unknown>({ dialect });
}

/**
 * Runs the migrator inside one transaction of our own that begins with a transaction-scoped
 * advisory lock. Kysely's own lock is a session lock taken outside its transaction: through a
 * transaction pooler (PgBouncer) its lock and unlock can land on two server connections,
 * leaving the lock held by a pooled connection and the next migration waiting on it for an
 * hour. A transaction stays on one server connection, and its lock ends with it.
 */
async function migrateLocked<T>(
  db: Kysely<T>,
  step: (migrator: Migrator) => Promise<MigrationResultSet>,
): Promise<MigrationResultSet> {
  return db.getExecutor().provideConnection(async (connection) => {
    const run = (statement: string) => connection.executeQuery(CompiledQuery.raw(statement));
    await run('begin');
    try {
      // A migration may rightly run long, whatever the role's statement_timeout (poolers).
      await run('set local statement_timeout = 0');
      await run("select pg_advisory_xact_lock(hashtext('enclave migrations'))");
      const migrator = new Migrator({
        db: onConnection(connection),
        provider: folderProvider,
        disableTransactions: true,
      });
      const result = await step(migrator);
      await run(result.error === undefined ? 'commit' : 'rollback');
      return result;
    } catch (error) {
      await run('rollback').catch(() => undefined);
      throw error;
    }
  });
}

function unwrap({ error, results }: MigrationResultSet) {
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('Migration failed', { cause: error });
  }
  return results ?? [];
}

/** Applies every pending migration; safe to run from several processes at once. */
export async function migrateToLatest<T>(db: Kysely<T>) {
  return unwrap(await migrateLocked(db, (migrator) => migrator.migrateToLatest()));
}

/** Reverts the most recent migration. */
export async function migrateDown<T>(db: Kysely<T>) {
  return unwrap(await migrateLocked(db, (migrator) => migrator.migrateDown()));
}
