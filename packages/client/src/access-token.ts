import type { TokenPair } from '@enclave/contract';
import { decodeJwtPayload, tokenLifetimeSeconds } from './jwt-payload.js';

/** An access token held in memory (never stored), and when to replace it. */
export interface AccessToken {
  token: string;
  /** Whose it is: the token's `sub`. */
  userId: string;
  /** When to stop using it and refresh: its life, counted from the request, less the margin. */
  refreshAt: number;
  /** When it stops working: it may still serve while a refresh is failing for a moment. */
  expiresAt: number;
}

/**
 * The access token of a new pair asked for at `askedAt` (ms), to be refreshed `marginMs`
 * before it expires, or halfway through its life if that comes first.
 */
export function accessTokenOf(pair: TokenPair, askedAt: number, marginMs: number): AccessToken {
  const claims = decodeJwtPayload(pair.access_token);
  const lifetimeMs = tokenLifetimeSeconds(claims, pair.expires_in) * 1000;
  return {
    token: pair.access_token,
    userId: typeof claims?.sub === 'string' ? claims.sub : '',
    refreshAt: askedAt + lifetimeMs - Math.min(marginMs, lifetimeMs / 2),
    expiresAt: askedAt + lifetimeMs,
  };
}
