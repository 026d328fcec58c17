import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/schema.js';
import type { AccountTokenPurpose } from '../db/tables/mail-tables.js';

// The single-use tokens of reset and verification links: 256 random bits, only their SHA-256
// stored (a fast hash suffices: the token cannot be guessed), one statement to spend.

/** A new token and its stored form. */
export function newMailToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: mailTokenHash(token) };
}

export function mailTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Issues `hash` (from newMailToken) as the account's token for `purpose`, valid `ttlSeconds`.
 * The account's older tokens of that purpose go in the same transaction: only the newest works.
 * Returns when it expires.
 */
export async function issueMailToken(
  trx: Db,
  userId: string,
  purpose: AccountTokenPurpose,
  hash: string,
  ttlSeconds: number,
): Promise<Date> {
  await trx
    .deleteFrom('account_tokens')
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .execute();
  const row = await trx
    .insertInto('account_tokens')
    .values({
      token_hash: hash,
      user_id: userId,
      purpose,
      expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
    })
    .returning('expires_at')
    .executeTakeFirstOrThrow();
  return row.expires_at;
}

/** The account whose valid, unspent token this is, without spending it. */
export async function peekMailToken(db: Db, token: string, purpose: AccountTokenPurpose) {
  const row = await db
    .selectFrom('account_tokens')
    .select('user_id')
    .where('token_hash', '=', mailTokenHash(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.user_id;
}

/**
 * Spends a token: its account, or undefined when it is unknown, spent, replaced or expired.
 * One conditional UPDATE, so of two concurrent uses exactly one succeeds.
 */
export async function spendMailToken(trx: Db, token: string, purpose: AccountTokenPurpose) {
  const row = await trx
    .updateTable('account_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', mailTokenHash(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}

/** Seconds since the account's newest token of `purpose` was issued; undefined if none. */
export async function secondsSinceLastToken(db: Db, userId: string, purpose: AccountTokenPurpose) {
  const row = await db
    .selectFrom('account_tokens')
    .select(sql<number>`extract(epoch from now() - max(created_at))::float8`.as('age'))
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  return row?.age ?? undefined;
}
