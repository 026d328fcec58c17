// The tables besides the resources' own whose rows belong to one user, each by its `user_id`:
// deleting a user's data deletes their rows here too (user-data/delete-user-data.ts). A new
// per-user table is added here, once; the resources' tables come from the registry.
// (`accounts` itself is keyed by `id` and goes last; `token_revocations` stays on purpose: it is
// what keeps a deleted account's tokens refused.)
export const PER_USER_TABLES = [
  'idempotency_keys',
  'refresh_tokens',
  'account_tokens',
  'mail_outbox',
  // Last: deleting the resources' rows above logs a `deleted` change for each.
  'changes',
  'change_horizons',
] as const;

export type PerUserTable = (typeof PER_USER_TABLES)[number];
