import jwt from 'jsonwebtoken';
import type { JwtConfig } from '../config.js';

/** Signs an access token for `userId` the way the server verifies them; for development use. */
export function signAccessToken(userId: string, config: JwtConfig, ttlSeconds = 3600): string {
  return jwt.sign({}, config.secret, {
    algorithm: config.algorithm,
    subject: userId,
    expiresIn: ttlSeconds,
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  });
}
