import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'bigint', (col) => col.notNull().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('archived', 'boolean', (col) => col.notNull().defaultTo(false))
    // Milliseconds, as the API shows them, so a list cursor holds a row's exact time.
    .addColumn('created_at', sql`timestamptz(3)`, (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (col) => col.notNull().defaultTo(sql`now()`))
    // The owner leads every key, so the table can be distributed by owner (docs/scaling.md).
    .addPrimaryKeyConstraint('projects_pkey', ['user_id', 'id'])
    .addUniqueConstraint('projects_user_id_name_key', ['user_id', 'name'])
    .addCheckConstraint('projects_user_id_length', sql`char_length(user_id) between 1 and 255`)
    .addCheckConstraint('projects_name_length', sql`char_length(name) between 1 and 100`)
    .addCheckConstraint('projects_description_length', sql`char_length(description) <= 2000`)
    .execute();
  // One index per sort order the list offers, each ending in id, the tie-breaker of the cursor.
  for (const column of ['created_at', 'updated_at', 'name']) {
    await db.schema
      .createIndex(`projects_user_id_${column}_id_idx`)
      .on('projects')
      .columns(['user_id', column, 'id'])
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('projects').execute();
}
