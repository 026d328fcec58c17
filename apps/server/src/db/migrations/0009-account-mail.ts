import { sql, type Kysely } from 'kysely';

// What the built-in accounts do by mail (issue 22): single-use tokens sent in links, and the
// outbox mails leave through. 0008 is another change's: every statement here is written so the
// two apply in either order (`if not exists` where both may touch the same thing).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table accounts
    add column if not exists email_verified boolean not null default false`.execute(db);

  // Reset and verification tokens. Only the SHA-256 is kept: the table leaks nothing a link
  // could be made from. A token is spent by setting used_at in the statement that checks it.
  await sql`create table if not exists account_tokens (
    token_hash text primary key,
    user_id text not null references accounts (id) on delete cascade,
    purpose text not null check (purpose in ('password_reset', 'email_verification')),
    created_at timestamptz(3) not null default now(),
    expires_at timestamptz(3) not null,
    used_at timestamptz(3)
  )`.execute(db);
  // Issuing a token retires the account's older ones of its purpose (only the newest works),
  // and the resend throttle reads the newest.
  await sql`create index if not exists account_tokens_user_id_purpose_idx
    on account_tokens (user_id, purpose, created_at)`.execute(db);

  // Mails, written in the transaction of the request that wants them sent and delivered after
  // it commits; a sender claims due rows with `for update skip locked`, so instances share it.
  await sql`create table if not exists mail_outbox (
    id bigint generated always as identity primary key,
    user_id text not null references accounts (id) on delete cascade,
    kind text not null,
    recipient text not null,
    subject text not null,
    -- Blanked once sent: a link's token has no business outliving its delivery.
    text_body text,
    html_body text,
    created_at timestamptz(3) not null default now(),
    next_attempt_at timestamptz(3) not null default now(),
    attempts integer not null default 0,
    -- A mail whose link has expired is no longer worth sending.
    discard_after timestamptz(3),
    sent_at timestamptz(3),
    given_up_at timestamptz(3),
    last_error text
  )`.execute(db);
  await sql`create index if not exists mail_outbox_due_idx on mail_outbox (next_attempt_at)
    where sent_at is null and given_up_at is null`.execute(db);
  await sql`create index if not exists mail_outbox_user_id_idx
    on mail_outbox (user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists mail_outbox`.execute(db);
  await sql`drop table if exists account_tokens`.execute(db);
  await sql`alter table accounts drop column if exists email_verified`.execute(db);
}
