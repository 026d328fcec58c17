import type { ColumnType, Generated } from 'kysely';

// The tables of the accounts' mail (migration 0009). Keyed by account like refresh_tokens, not
// owned rows of a resource: a token is looked up by its hash before anyone knows whose it is,
// and the outbox's sender serves every account.

/** What a token in a mail's link is for. */
export type AccountTokenPurpose = 'password_reset' | 'email_verification';

/** A reset or verification token, stored as its SHA-256; spent when used_at is set. */
export interface AccountTokensTable {
  token_hash: string;
  user_id: string;
  purpose: AccountTokenPurpose;
  created_at: ColumnType<Date, never, never>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: Date | null;
}

/** A mail waiting to be sent (or sent: its bodies blanked). */
export interface MailOutboxTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  recipient: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  created_at: ColumnType<Date, never, never>;
  next_attempt_at: Generated<Date>;
  attempts: Generated<number>;
  discard_after: ColumnType<Date | null, Date | string | null, Date | string | null>;
  sent_at: Date | null;
  given_up_at: Date | null;
  last_error: string | null;
}

export interface MailTables {
  account_tokens: AccountTokensTable;
  mail_outbox: MailOutboxTable;
}
