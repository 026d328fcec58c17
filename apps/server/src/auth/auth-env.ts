import { z } from 'zod';
import { commaList, integer, isParsableUrl, optional } from '../env-values.js';
import { HMAC_ALGORITHMS } from './algorithms.js';
import { ASYMMETRIC_ALGORITHMS } from './provider-verifier.js';

// The variables authentication reads (tokens, keys, the built-in accounts and their sign-in
// throttle), parsed here so that auth-config.ts knows their types without importing the
// configuration that composes every module's variables (config.ts).

// JWT_ALGORITHMS: names of either family, comma-separated.
const algorithmList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.enum([...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS]))
      .min(1, 'must name at least one algorithm'),
  );

/** Authentication's variables, as config.ts's one schema of the environment takes them. */
export const authEnvShape = {
  JWT_SECRET: optional(z.string()),
  JWT_PREVIOUS_SECRETS: optional(commaList),
  JWT_ALLOW_DEVELOPMENT_SECRET: optional(z.enum(['on', 'off'])),
  JWT_ALGORITHM: optional(z.enum(HMAC_ALGORITHMS)),
  JWT_ALGORITHMS: optional(algorithmList),
  JWT_ISSUER: optional(z.string()),
  JWT_AUDIENCE: optional(z.string()),
  JWT_CLOCK_TOLERANCE_SECONDS: optional(integer(0, 300)),
  JWT_USER_CLAIM: optional(z.string().max(255)),
  JWT_JWKS_URL: optional(
    z
      .string()
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .refine(isParsableUrl, 'must be a valid URL'),
  ),
  JWT_JWKS_TIMEOUT_MS: optional(integer(100, 60_000)),
  JWT_JWKS_COOLDOWN_SECONDS: optional(integer(1, 3600)),
  JWT_JWKS_CACHE_SECONDS: optional(integer(1, 86_400)),
  JWT_PUBLIC_KEY: optional(z.string().includes('-----BEGIN', { message: 'must be a PEM key' })),
  AUTH_ACCOUNTS: optional(z.enum(['on', 'off'])),
  ACCESS_TOKEN_TTL_SECONDS: optional(integer(60, 86_400)),
  REFRESH_TOKEN_TTL_SECONDS: optional(integer(300, 366 * 86_400)),
  SESSION_ABSOLUTE_DAYS: optional(integer(1, 3660)),
  LOGIN_THROTTLE_WINDOW_SECONDS: optional(integer(1, 86_400)),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: optional(integer(1, 1000)),
  LOGIN_MAX_FAILURES_PER_ADDRESS: optional(integer(1, 100_000)),
};

/** Authentication's variables, parsed. */
export type AuthEnv = z.output<z.ZodObject<typeof authEnvShape>>;
