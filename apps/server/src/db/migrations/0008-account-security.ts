import { sql, type Kysely } from 'kysely';

// Account security (issue 22): verified emails, sessions with an absolute end, and the time
// before which an account's access tokens are refused.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('email_verified', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();

  // A session is a refresh-token family; each row carries the family's facts, copied on every
  // rotation, so the one live row of a session says everything about it. Sessions begun
  // before this migration are dated from their current token and end 90 days after it.
  await db.schema
    .alterTable('refresh_tokens')
    .addColumn('session_started_at', sql`timestamptz(3)`)
    .addColumn('absolute_expires_at', sql`timestamptz(3)`)
    .addColumn('user_agent', 'text')
    .execute();
  await sql`update refresh_tokens set session_started_at = created_at,
    absolute_expires_at = created_at + interval '90 days'`.execute(db);
  await db.schema
    .alterTable('refresh_tokens')
    .alterColumn('session_started_at', (col) => col.setNotNull())
    .alterColumn('absolute_expires_at', (col) => col.setNotNull())
    .execute();
  await sql`alter table refresh_tokens add constraint refresh_tokens_user_agent_length
    check (char_length(user_agent) <= 256)`.execute(db);

  // Access tokens issued before `valid_after` are refused (but for `except_session`'s, the
  // session that changed its password). No foreign key: a deleted account's tokens stay
  // refused, and a provider's users have no account. Every instance polls it by time.
  await db.schema
    .createTable('token_revocations')
    .addColumn('user_id', 'text', (col) => col.primaryKey())
    .addColumn('valid_after', sql`timestamptz(3)`, (col) => col.notNull())
    .addColumn('except_session', 'text')
    .execute();
  await db.schema
    .createIndex('token_revocations_valid_after_idx')
    .on('token_revocations')
    .column('valid_after')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('token_revocations').execute();
  await sql`alter table refresh_tokens drop constraint refresh_tokens_user_agent_length`.execute(
    db,
  );
  await db.schema
    .alterTable('refresh_tokens')
    .dropColumn('session_started_at')
    .dropColumn('absolute_expires_at')
    .dropColumn('user_agent')
    .execute();
  await db.schema.alterTable('accounts').dropColumn('email_verified').execute();
}
