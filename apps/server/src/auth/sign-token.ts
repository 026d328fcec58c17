import jwt from 'jsonwebtoken';
import type { JwtConfig } from './auth-config.js';

/** Signs an access token for `userId` the way the server verifies its own tokens. */
export function signAccessToken(userId: string, config: JwtConfig, ttlSeconds: number): string {
  if (config.secret === undefined) {
    // The configuration refuses accounts without a secret; reaching here is a wiring bug.
    throw new Error('No JWT_SECRET: this server does not sign tokens');
  }
  return jwt.sign({}, config.secret, {
    algorithm: config.algorithm,
    subject: userId,
    expiresIn: ttlSeconds,
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  });
}
