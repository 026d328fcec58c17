import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Signs every session of the account out, in the caller's transaction: its refresh tokens are
 * revoked, and its access tokens issued until now are refused from the commit on (by every
 * instance within its revocation poll, see auth/token-revocations.ts). `exceptSessionId` keeps
 * one session and its tokens (the one that changed the password).
 */
export async function signOutEverywhere(
  trx: Transaction<Database>,
  userId: string,
  options: { exceptSessionId?: string } = {},
): Promise<void> {
  const { exceptSessionId } = options;
  let revoke = trx
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (exceptSessionId !== undefined) revoke = revoke.where('family_id', '<>', exceptSessionId);
  await revoke.execute();
  // The server's clock, as the tokens' `iat` is; the next millisecond, so that no token issued
  // before this call can tie it.
  const validAfter = new Date(Date.now() + 1);
  await trx
    .insertInto('token_revocations')
    .values({ user_id: userId, valid_after: validAfter, except_session: exceptSessionId ?? null })
    .onConflict((conflict) =>
      conflict.column('user_id').doUpdateSet({
        valid_after: validAfter,
        except_session: exceptSessionId ?? null,
      }),
    )
    .execute();
}
