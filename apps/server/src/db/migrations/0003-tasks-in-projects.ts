import { sql, type Kysely } from 'kysely';

// Tasks gain a project, list indexes and the keys that let them be distributed by owner.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks
    alter column created_at type timestamptz(3),
    alter column updated_at type timestamptz(3),
    add column project_id bigint,
    drop constraint tasks_pkey,
    add constraint tasks_pkey primary key (user_id, id)`.execute(db);
  await db.schema.dropIndex('tasks_user_id_id_idx').execute();
  // The owner is part of the reference, so a task can only ever name a project of its own
  // owner, checked by the database in the same statement. Deleting a project empties
  // project_id alone (a column list: PostgreSQL 15+), leaving its tasks otherwise as they are.
  await sql`alter table tasks add constraint tasks_project_fk
    foreign key (user_id, project_id) references projects (user_id, id)
    on delete set null (project_id)`.execute(db);
  for (const column of ['created_at', 'updated_at', 'title', 'project_id']) {
    await db.schema
      .createIndex(`tasks_user_id_${column}_id_idx`)
      .on('tasks')
      .columns(['user_id', column, 'id'])
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['created_at', 'updated_at', 'title', 'project_id']) {
    await db.schema.dropIndex(`tasks_user_id_${column}_id_idx`).execute();
  }
  await sql`alter table tasks
    drop constraint tasks_project_fk,
    drop column project_id,
    drop constraint tasks_pkey,
    add constraint tasks_pkey primary key (id),
    alter column created_at type timestamptz,
    alter column updated_at type timestamptz`.execute(db);
  await db.schema
    .createIndex('tasks_user_id_id_idx')
    .on('tasks')
    .columns(['user_id', 'id'])
    .execute();
}
