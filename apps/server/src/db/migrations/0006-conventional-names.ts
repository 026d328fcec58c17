import { sql, type Kysely } from 'kysely';

// Names that follow from the declarations, so the server derives them instead of listing them:
// the built-in accounts' table is `accounts` (the feature's name in the contract and the
// server), and a resource's reference is `<table>_user_id_<field>_fkey`, PostgreSQL's own
// default for a foreign key on (user_id, <field>).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users rename to accounts`.execute(db);
  await sql`alter table accounts rename constraint users_pkey to accounts_pkey`.execute(db);
  await sql`alter table accounts rename constraint users_email_key to accounts_email_key`.execute(
    db,
  );
  await sql`alter table accounts rename constraint users_email_normalised
    to accounts_email_normalised`.execute(db);
  await sql`alter table tasks rename constraint tasks_project_fk
    to tasks_user_id_project_id_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks rename constraint tasks_user_id_project_id_fkey
    to tasks_project_fk`.execute(db);
  await sql`alter table accounts rename constraint accounts_email_normalised
    to users_email_normalised`.execute(db);
  await sql`alter table accounts rename constraint accounts_email_key to users_email_key`.execute(
    db,
  );
  await sql`alter table accounts rename constraint accounts_pkey to users_pkey`.execute(db);
  await sql`alter table accounts rename to users`.execute(db);
}
