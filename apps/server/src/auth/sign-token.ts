import jwt from 'jsonwebtoken';
import type { JwtConfig } from './auth-config.js';

/**
 * Signs an access token for `userId` the way the server verifies its own tokens; `sessionId`
 * (claim `sid`) is the sign-in it belongs to. `iat` carries milliseconds (RFC 7519 allows a
 * fractional NumericDate), so a revocation within the second of an issue is told apart.
 */
export function signAccessToken(
  userId: string,
  config: JwtConfig,
  ttlSeconds: number,
  sessionId?: string,
): string {
  if (config.secret === undefined) {
    // The configuration refuses accounts without a secret; reaching here is a wiring bug.
    throw new Error('No JWT_SECRET: this server does not sign tokens');
  }
  const now = Date.now();
  // `exp` stays whole seconds: verifiers compare it with the whole seconds of their clock.
  const claims = {
    iat: now / 1000,
    exp: Math.floor(now / 1000) + ttlSeconds,
    ...(sessionId === undefined ? {} : { sid: sessionId }),
  };
  return jwt.sign(claims, config.secret, {
    algorithm: config.algorithm,
    subject: userId,
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  });
}
