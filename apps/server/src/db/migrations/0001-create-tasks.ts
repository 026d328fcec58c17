import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('complete', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // The API validates these limits first; the database holds them too so no other writer can
    // store what the API could not serve back.
    .addCheckConstraint('tasks_user_id_length', sql`char_length(user_id) between 1 and 255`)
    .addCheckConstraint('tasks_title_length', sql`char_length(title) between 1 and 200`)
    .addCheckConstraint('tasks_description_length', sql`char_length(description) <= 1000`)
    .execute();
  // Every query is "this owner's rows" (by id, or all of them in id order): one index serves both.
  await db.schema
    .createIndex('tasks_user_id_id_idx')
    .on('tasks')
    .columns(['user_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tasks').execute();
}
