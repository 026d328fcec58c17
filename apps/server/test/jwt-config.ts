import { randomBytes } from 'node:crypto';
import type { JwtConfig } from '../src/config.js';

/** The configuration of a server that signs and accepts HS256 only, under a fresh secret. */
export function hs256Config(overrides: Partial<JwtConfig> = {}): JwtConfig {
  return {
    secret: randomBytes(32).toString('hex'),
    previousSecrets: [],
    algorithm: 'HS256',
    algorithms: ['HS256'],
    issuer: undefined,
    audience: undefined,
    clockToleranceSeconds: 0,
    userClaim: 'sub',
    provider: undefined,
    ...overrides,
  };
}
