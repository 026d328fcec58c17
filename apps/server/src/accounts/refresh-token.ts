import { createHash, randomBytes } from 'node:crypto';

/**
 * A new opaque refresh token: 256 random bits, base64url. Only its SHA-256 is stored; a fast
 * hash suffices because the token, unlike a password, cannot be guessed.
 */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: refreshTokenHash(token) };
}

/** The stored form of a refresh token. */
export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
