import { sql } from 'kysely';
import type { Db } from '../db/schema.js';

const ISO = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The account's live sessions, most recently used first. A session's one live row is its
 * newest token: not spent, not revoked, not expired; that token's creation is the session's
 * last use (its sign-in or latest refresh).
 */
export async function listSessions(db: Db, userId: string, currentSessionId: string | undefined) {
  const rows = await db
    .selectFrom('refresh_tokens')
    .select([
      'family_id',
      ISO('session_started_at').as('created_at'),
      ISO('created_at').as('last_used_at'),
      ISO('absolute_expires_at').as('expires_at'),
      'user_agent',
    ])
    .where('user_id', '=', userId)
    .where('spent_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(({ family_id, ...session }) => ({
    id: family_id,
    ...session,
    current: family_id === currentSessionId,
  }));
}

/** Signs one of the account's sessions out; false when it has no such live session. */
export async function endSession(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('family_id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .where('spent_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return (result.numUpdatedRows ?? 0n) > 0n;
}
