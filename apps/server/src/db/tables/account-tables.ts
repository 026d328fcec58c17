import type { ColumnType } from 'kysely';

// The built-in accounts' tables (served under /auth by accounts/). They are keyed by account,
// not owned rows of a resource: a user reaches them only through /auth, never /api/{user_id}.

/** A built-in account; `id` is the user id of tokens and resource paths. */
export interface AccountsTable {
  id: string;
  email: string;
  password_hash: string;
  /** Set by the verification mail's link (migration 0009). */
  email_verified: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, never, never>;
}

/** One refresh token, stored as its hash; spent when rotated, revoked by logout or reuse. */
export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  user_id: string;
  created_at: ColumnType<Date, never, never>;
  /** The sooner of the idle lifetime's end and the session's absolute end. */
  expires_at: Date;
  spent_at: Date | null;
  revoked_at: Date | null;
  /** The session's (the family's) facts, copied to each of its tokens (migration 0008). */
  session_started_at: Date;
  absolute_expires_at: Date;
  user_agent: string | null;
}

/** Access tokens of `user_id` issued before `valid_after` are refused (migration 0008). */
export interface TokenRevocationsTable {
  user_id: string;
  valid_after: Date;
  /** The session whose tokens stay valid (the one that changed the password). */
  except_session: string | null;
}

/** Failed logins counted per key (an account or a client address) in a fixed window. */
export interface LoginFailuresTable {
  key: string;
  failures: number;
  window_started_at: Date;
}

export interface AccountTables {
  accounts: AccountsTable;
  refresh_tokens: RefreshTokensTable;
  login_failures: LoginFailuresTable;
  token_revocations: TokenRevocationsTable;
}
