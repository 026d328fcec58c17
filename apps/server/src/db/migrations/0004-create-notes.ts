import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notes')
    .addColumn('id', 'bigint', (col) => col.notNull().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('pinned', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', sql`timestamptz(3)`, (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', sql`timestamptz(3)`, (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notes_pkey', ['user_id', 'id'])
    .addCheckConstraint('notes_user_id_length', sql`char_length(user_id) between 1 and 255`)
    .addCheckConstraint('notes_body_length', sql`char_length(body) between 1 and 10000`)
    .execute();
  for (const column of ['created_at', 'updated_at']) {
    await db.schema
      .createIndex(`notes_user_id_${column}_id_idx`)
      .on('notes')
      .columns(['user_id', column, 'id'])
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notes').execute();
}
