import type { TokenFacts, TokenVerifier } from './claims.js';

export interface TokenCacheOptions {
  /** Most verified tokens kept; 0 turns the cache off. */
  maxEntries: number;
  /**
   * Longest a verdict is reused. It bounds how long a token stays accepted after what made it
   * valid went away: a provider key withdrawn from the JWKS, an account's tokens revoked.
   */
  maxAgeMs: number;
  /** The verifiers' leeway on `exp` and `nbf`, applied the same way on a hit. */
  clockToleranceSeconds: number;
  now?: () => number;
}

interface Entry {
  facts: TokenFacts;
  /** When the verdict may no longer be reused: the sooner of `exp` and the maximum age. */
  reuseUntil: number;
  /** Before this the token is not yet valid (`nbf`); a hit then verifies afresh. */
  validFrom: number;
}

/** `exp` and `nbf` of a token a verifier has just accepted; its payload is known to parse. */
function timeClaims(token: string): { exp?: unknown; nbf?: unknown } {
  const payload = token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'));
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString());
    return typeof claims === 'object' && claims !== null ? claims : {};
  } catch {
    return {};
  }
}

/**
 * Remembers the verdict of each accepted token, so a client's every request does not pay for
 * the signature check again. Only acceptances are kept (a refused token is verified every
 * time, with its own reason), `exp` and `nbf` are checked again on every hit, and no verdict
 * outlives `maxAgeMs`. The oldest entry goes first when the cache is full.
 */
export function cachingVerifier(verify: TokenVerifier, options: TokenCacheOptions): TokenVerifier {
  const { maxEntries, maxAgeMs, clockToleranceSeconds } = options;
  if (maxEntries <= 0) return verify;
  const now = options.now ?? Date.now;
  const toleranceMs = clockToleranceSeconds * 1000;
  const entries = new Map<string, Entry>();

  const remember = (token: string, facts: TokenFacts) => {
    const { exp, nbf } = timeClaims(token);
    // Every accepted token has a numeric exp (claims.ts); without one, nothing is cached.
    if (typeof exp !== 'number') return;
    const at = now();
    const reuseUntil = Math.min(exp * 1000 + toleranceMs, at + maxAgeMs);
    const validFrom = typeof nbf === 'number' ? nbf * 1000 - toleranceMs : -Infinity;
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.set(token, { facts, reuseUntil, validFrom });
  };

  return async (token) => {
    const entry = entries.get(token);
    if (entry !== undefined) {
      const at = now();
      if (at < entry.reuseUntil && at >= entry.validFrom) return { ...entry.facts, ok: true };
      // Expired, too old to trust, or not yet valid: the verifier decides, and says why.
      entries.delete(token);
    }
    const verdict = await verify(token);
    if (verdict.ok) remember(token, verdict);
    return verdict;
  };
}
