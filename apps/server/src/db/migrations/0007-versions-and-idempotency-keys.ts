import { sql, type Kysely } from 'kysely';

// Every item gets a version, its ETag: 1 when created, one more on every write. An ordinary
// column rather than PostgreSQL's xmin: it survives dump and restore, a replica, and a VACUUM
// FULL, and it means the same on the embedded database.
const RESOURCE_TABLES = ['tasks', 'projects', 'notes'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of RESOURCE_TABLES) {
    await db.schema
      .alterTable(table)
      .addColumn('version', 'bigint', (col) => col.notNull().defaultTo(1))
      .execute();
  }
  // The answers stored for Idempotency-Keys, each written in the transaction that made the
  // item it answers with: there is never an answer without its item, or an item created under
  // a key without its answer. Owned like the items: the owner leads the key.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'text', (col) => col.notNull())
    // Which operation the key was used on, e.g. `tasks.create`: a key is per user and route.
    .addColumn('route', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    // A hash of the request the key was first used with: another request with it is a 422.
    .addColumn('fingerprint', 'text', (col) => col.notNull())
    .addColumn('status', 'smallint', (col) => col.notNull())
    // The answer's body as it was sent, and the headers a replay repeats (ETag, Location).
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('headers', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', sql`timestamptz(3)`, (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', sql`timestamptz(3)`, (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['user_id', 'route', 'key'])
    .addCheckConstraint('idempotency_keys_key_length', sql`char_length(key) between 1 and 255`)
    .execute();
  // What the sweep of expired keys reads.
  await db.schema
    .createIndex('idempotency_keys_expires_at_idx')
    .on('idempotency_keys')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
  for (const table of RESOURCE_TABLES) {
    await db.schema.alterTable(table).dropColumn('version').execute();
  }
}
