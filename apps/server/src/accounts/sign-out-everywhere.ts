import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Signs the account out of every session (every refresh token), but the one of
 * `exceptSessionId` (a refresh token family) when given. A minimal version for the reset by
 * mail; the sessions work of issue 22 owns this file and may do more.
 */
export async function signOutEverywhere(
  trx: Transaction<Database>,
  userId: string,
  options?: { exceptSessionId?: string },
): Promise<void> {
  let statement = trx.deleteFrom('refresh_tokens').where('user_id', '=', userId);
  if (options?.exceptSessionId !== undefined) {
    statement = statement.where('family_id', '<>', options.exceptSessionId);
  }
  await statement.execute();
}
