import { sql, type Kysely } from 'kysely';

// The change log (docs/changes.md): one row per create, update and delete of an item of any
// resource, written by a trigger in the writing transaction, so a scaffolded resource, a
// foreign key's cascade and a write from outside the API are all in it.
const RESOURCE_TABLES = ['tasks', 'projects', 'notes'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('changes')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull().generatedAlwaysAsIdentity())
    .addColumn('resource', 'text', (col) => col.notNull())
    .addColumn('item_id', 'bigint', (col) => col.notNull())
    .addColumn('op', 'text', (col) => col.notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addColumn('at', sql`timestamptz(3)`, (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('changes_pkey', ['user_id', 'position'])
    .addCheckConstraint('changes_op', sql`op in ('created', 'updated', 'deleted')`)
    .execute();
  // What the streams' safety poll reads: the newest positions, across owners.
  await db.schema.createIndex('changes_position_idx').on('changes').column('position').execute();
  // What the retention sweep reads: the oldest changes. BRIN, since rows arrive in time order
  // and a block range's summary costs a write almost nothing (a B-tree would cost each write
  // another index insert).
  await db.schema.createIndex('changes_at_idx').on('changes').using('brin').column('at').execute();
  // Per owner, the highest position the retention sweep deleted: a cursor below it has lost
  // changes (410), one at or above it has lost none.
  await db.schema
    .createTable('change_horizons')
    .addColumn('user_id', 'text', (col) => col.primaryKey())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .execute();
  // Every write of one owner's items holds this lock from before it touches a row until it
  // commits (the API's updates and deletes take it in their WHERE clause, before the row lock;
  // the trigger takes it for any other writer). So one owner's changes get their positions in
  // the order they commit: a reader that sees position p has seen every earlier position of
  // that owner, and a cursor never skips a change that commits late. Owners do not wait on
  // each other (two owners sharing a hash only share a lock).
  await sql`
    create function changes_lock_owner(owner text) returns boolean
    language sql volatile as $$
      select pg_advisory_xact_lock(hashtext('enclave changes'), hashtext(owner)) is not null
    $$`.execute(db);
  // No NOTIFY here: a notifying transaction holds a database-wide lock through its commit,
  // which serialises every writer's commit (and fsync) behind it; measured, it cost writes
  // more than half their throughput. The server notifies after commit instead, in batches
  // (changes/change-wakeups.ts), and a safety poll finds what no notification announced.
  await sql`
    create function record_change() returns trigger
    language plpgsql as $$
    declare
      row_ record;
      op_ text;
    begin
      if tg_op = 'DELETE' then row_ := old; op_ := 'deleted';
      elsif tg_op = 'INSERT' then row_ := new; op_ := 'created';
      else row_ := new; op_ := 'updated';
      end if;
      perform changes_lock_owner(row_.user_id);
      insert into changes (user_id, resource, item_id, op, version)
        values (row_.user_id, tg_table_name, row_.id, op_, row_.version);
      return null;
    end $$`.execute(db);
  for (const table of RESOURCE_TABLES) {
    // As resource-table.ts writes it for a new resource (its name orders it; see there).
    await sql
      .raw(
        `create trigger "Change log" after insert or update or delete on ${table} ` +
          'for each row execute function record_change()',
      )
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of RESOURCE_TABLES) {
    await sql.raw(`drop trigger "Change log" on ${table}`).execute(db);
  }
  await sql.raw('drop function record_change()').execute(db);
  await sql.raw('drop function changes_lock_owner(text)').execute(db);
  await db.schema.dropTable('change_horizons').execute();
  await db.schema.dropTable('changes').execute();
}
