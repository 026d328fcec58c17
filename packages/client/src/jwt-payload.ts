// Reads a JWT's claims without verifying it: the server verifies; a client only needs to know
// whose token it holds and when to replace it. `atob` and `TextDecoder` exist in browsers and in
// every supported Node, so no Buffer.

/** The claims of a JWT's payload, unverified, or undefined if `token` is not a readable JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many seconds a token lives, from its own `exp` − `iat`, bounded by what the server said
 * (`expires_in`). Counted from when the client asked for it rather than compared with `exp`:
 * a client clock minutes off the server's would otherwise refresh at every call, or too late.
 */
export function tokenLifetimeSeconds(
  claims: Record<string, unknown> | undefined,
  expiresIn: number,
): number {
  const { exp, iat } = claims ?? {};
  if (typeof exp === 'number' && typeof iat === 'number' && exp > iat) {
    return Math.min(exp - iat, expiresIn);
  }
  return expiresIn;
}
