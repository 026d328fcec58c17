import { sql, type Kysely } from 'kysely';

// An item's version (its ETag) and updated_at change with every write of it, not only with
// the API's own: a foreign key's SET NULL (a project deleted empties its tasks' project_id)
// or a write from outside the API changed the item but kept its version, so a conditional GET
// with the old ETag answered 304 for an item that had changed, an If-Match with it still
// passed, and the change log showed two different states under one version.
const RESOURCE_TABLES = ['tasks', 'projects', 'notes'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function bump_version() returns trigger
    language plpgsql as $$
    begin
      new.version := old.version + 1;
      new.updated_at := now();
      return new;
    end $$`.execute(db);
  for (const table of RESOURCE_TABLES) {
    // As resource-table.ts writes it for a new resource. The condition is checked before the
    // function is called: the API's updates, which set the next version themselves, call
    // nothing.
    await sql
      .raw(
        `create trigger "Version" before update on ${table} for each row ` +
          'when (new.version = old.version) execute function bump_version()',
      )
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of RESOURCE_TABLES) {
    await sql.raw(`drop trigger "Version" on ${table}`).execute(db);
  }
  await sql.raw('drop function bump_version()').execute(db);
}
