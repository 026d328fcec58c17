import type { Db } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { TokenFacts, TokenVerifier } from './claims.js';

interface Revocation {
  validAfterMs: number;
  exceptSession: string | null;
}

export interface TokenRevocationsOptions {
  /** How often the table is read for revocations made elsewhere (another instance). */
  pollMs: number;
  /**
   * How far back each poll looks before the newest revocation it has seen: a revocation is
   * dated when its transaction writes it but seen only once that commits, so one committed
   * late would otherwise fall behind the cursor.
   */
  overlapMs?: number;
}

/**
 * Each account's "tokens valid after" time, held in memory so that checking a request costs a
 * map lookup and no query: all of them are read once at start, then every `pollMs` those
 * written since the last poll (less `overlapMs`), so every instance on one database learns of
 * a revocation within about `pollMs`.
 */
export function tokenRevocations(db: Db, logger: Logger, options: TokenRevocationsOptions) {
  const { pollMs, overlapMs = 60_000 } = options;
  const byUser = new Map<string, Revocation>();
  let newestMs: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  async function poll(): Promise<void> {
    let query = db
      .selectFrom('token_revocations')
      .select(['user_id', 'valid_after', 'except_session']);
    if (newestMs !== undefined) {
      query = query.where('valid_after', '>', new Date(newestMs - overlapMs));
    }
    for (const row of await query.execute()) {
      const validAfterMs = row.valid_after.getTime();
      const known = byUser.get(row.user_id);
      if (known === undefined || known.validAfterMs <= validAfterMs) {
        byUser.set(row.user_id, { validAfterMs, exceptSession: row.except_session });
      }
      if (newestMs === undefined || validAfterMs > newestMs) newestMs = validAfterMs;
    }
    newestMs ??= Date.now();
  }

  function schedule() {
    timer = setTimeout(() => {
      poll()
        .then(
          () => {
            if (failing) logger.info('token revocations are read again');
            failing = false;
          },
          (error: unknown) => {
            // One line per outage: the database's own answers already say 503 meanwhile.
            if (!failing) logger.warn({ err: error }, 'token revocations could not be read');
            failing = true;
          },
        )
        .finally(() => {
          if (timer !== undefined) schedule();
        });
    }, pollMs);
    timer.unref();
  }

  return {
    /** Reads every revocation, then keeps polling; resolves once the first read is done. */
    async start(): Promise<void> {
      await poll();
      schedule();
    },
    stop(): void {
      clearTimeout(timer);
      timer = undefined;
    },
    /** Reads what changed now (after this instance revoked something, say). */
    poll,
    /** Whether a verified token was revoked: a map lookup, no query. */
    isRevoked({ userId, issuedAtMs, sessionId }: TokenFacts): boolean {
      const revocation = byUser.get(userId);
      if (revocation === undefined) return false;
      if (revocation.exceptSession !== null && sessionId === revocation.exceptSession) return false;
      // A token that does not say when it was issued cannot show it came after.
      return issuedAtMs === undefined || issuedAtMs < revocation.validAfterMs;
    },
  };
}

export type TokenRevocations = ReturnType<typeof tokenRevocations>;

/**
 * A verifier that also refuses revoked tokens, after `verify` (and its cache) accepted them:
 * the cache keeps signature checks, never the revocation verdict.
 */
export function refusingRevoked(
  verify: TokenVerifier,
  revocations: TokenRevocations,
): TokenVerifier {
  return async (token) => {
    const verdict = await verify(token);
    if (verdict.ok && revocations.isRevoked(verdict)) {
      return { ok: false, reason: 'Token has been revoked; sign in again' };
    }
    return verdict;
  };
}
