import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { constraintViolation } from '../db/constraint-violation.js';
import type { Db } from '../db/schema.js';
import { newRefreshToken, refreshTokenHash } from './refresh-token.js';

const accountColumns = ['id', 'email', 'email_verified', 'created_at'] as const;

/** An account as the API shows it. */
export const toAccount = (row: {
  id: string;
  email: string;
  email_verified: boolean;
  created_at: Date;
}) => ({
  id: row.id,
  email: row.email,
  email_verified: row.email_verified,
  created_at: row.created_at.toISOString(),
});

/** Creates an account; `taken` when the email already has one (decided by the constraint). */
export async function createAccount(
  db: Db,
  email: string,
  passwordHash: string,
): Promise<ReturnType<typeof toAccount> | 'taken'> {
  try {
    const row = await db
      .insertInto('accounts')
      .values({ id: randomUUID(), email, password_hash: passwordHash })
      .returning(accountColumns)
      .executeTakeFirstOrThrow();
    return toAccount(row);
  } catch (error) {
    if (constraintViolation(error)?.constraint === 'accounts_email_key') return 'taken';
    throw error;
  }
}

export function findAccountByEmail(db: Db, email: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'password_hash', 'email_verified'])
    .where('email', '=', email)
    .executeTakeFirst();
}

/** What proving the password of the account `id` needs: its email (the throttle's key). */
export function findCredentialsById(db: Db, id: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'email', 'password_hash'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAccountById(db: Db, id: string) {
  const row = await db
    .selectFrom('accounts')
    .select(accountColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toAccount(row);
}

export async function replacePasswordHash(db: Db, id: string, passwordHash: string) {
  await db
    .updateTable('accounts')
    .set({ password_hash: passwordHash })
    .where('id', '=', id)
    .execute();
}

const expiresIn = (seconds: number) => sql<Date>`now() + make_interval(secs => ${seconds})`;

/** How long a session lives: idle between refreshes, and at most from its sign-in. */
export interface SessionLifetimes {
  refreshTokenTtlSeconds: number;
  sessionAbsoluteSeconds: number;
}

const USER_AGENT_MAX = 256;

/**
 * Starts a session (a login's token family); returns its id and the refresh token, which is
 * stored only hashed.
 */
export async function startRefreshFamily(
  db: Db,
  userId: string,
  lifetimes: SessionLifetimes,
  userAgent?: string,
) {
  const { token, hash } = newRefreshToken();
  const familyId = randomUUID();
  // A user's expired tokens can no longer be presented, so this is when they go.
  await db
    .deleteFrom('refresh_tokens')
    .where('user_id', '=', userId)
    .where('expires_at', '<', sql<Date>`now()`)
    .execute();
  await db
    .insertInto('refresh_tokens')
    .values({
      token_hash: hash,
      family_id: familyId,
      user_id: userId,
      expires_at: expiresIn(
        Math.min(lifetimes.refreshTokenTtlSeconds, lifetimes.sessionAbsoluteSeconds),
      ),
      session_started_at: sql<Date>`now()`,
      absolute_expires_at: expiresIn(lifetimes.sessionAbsoluteSeconds),
      user_agent: userAgent === undefined ? null : [...userAgent].slice(0, USER_AGENT_MAX).join(''),
    })
    .execute();
  return { token, sessionId: familyId };
}

export type Rotation =
  | { outcome: 'rotated'; userId: string; token: string; sessionId: string }
  | { outcome: 'reused'; userId: string }
  | { outcome: 'invalid' };

/**
 * Spends a refresh token and issues its successor in the same family. A token presented after
 * it was spent means two parties hold it (one of them a thief), so the family is revoked.
 * Spending is one conditional UPDATE: of two concurrent uses, exactly one succeeds.
 */
export function rotateRefreshToken(db: Db, token: string, ttlSeconds: number): Promise<Rotation> {
  // Never past the session's absolute end, however often it is refreshed.
  const nextExpiry = sql<Date>`least(now() + make_interval(secs => ${ttlSeconds}), ${sql.ref('absolute_expires_at')})`;
  const hash = refreshTokenHash(token);
  return db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable('refresh_tokens')
      .set({ spent_at: sql<Date>`now()` })
      .where('token_hash', '=', hash)
      .where('spent_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning([
        'user_id',
        'family_id',
        'session_started_at',
        'absolute_expires_at',
        'user_agent',
        nextExpiry.as('next_expires_at'),
      ])
      .executeTakeFirst();
    if (spent !== undefined) {
      const next = newRefreshToken();
      await trx
        .insertInto('refresh_tokens')
        .values({
          token_hash: next.hash,
          family_id: spent.family_id,
          user_id: spent.user_id,
          expires_at: spent.next_expires_at,
          session_started_at: spent.session_started_at,
          absolute_expires_at: spent.absolute_expires_at,
          user_agent: spent.user_agent,
        })
        .execute();
      return {
        outcome: 'rotated',
        userId: spent.user_id,
        token: next.token,
        sessionId: spent.family_id,
      } as const;
    }
    const known = await trx
      .selectFrom('refresh_tokens')
      .select(['user_id', 'family_id', 'spent_at', 'revoked_at'])
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    if (known?.spent_at == null || known.revoked_at !== null)
      return { outcome: 'invalid' } as const;
    await revokeFamily(trx, known.family_id);
    return { outcome: 'reused', userId: known.user_id } as const;
  });
}

async function revokeFamily(db: Db, familyId: string) {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Revokes the family of a refresh token (a logout); an unknown token changes nothing. */
export async function revokeFamilyOf(db: Db, token: string): Promise<void> {
  const known = await db
    .selectFrom('refresh_tokens')
    .select('family_id')
    .where('token_hash', '=', refreshTokenHash(token))
    .executeTakeFirst();
  if (known !== undefined) await revokeFamily(db, known.family_id);
}
