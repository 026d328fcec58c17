import path from 'node:path';
import { z } from 'zod';
import {
  AuthConfigError,
  HMAC_ALGORITHMS,
  algorithmList,
  resolveAuthConfig,
  type AccountsConfig,
  type JwtConfig,
} from './auth/auth-config.js';

export { DEVELOPMENT_JWT_SECRET, type AccountsConfig, type JwtConfig } from './auth/auth-config.js';

// An empty variable (`FOO=`) means "not set", as most deployment tools write it that way.
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

// z.coerce.number() would read ' ' as 0 (a random port) and '0x10' as 16: a number from the
// environment must be plain decimal digits.
const integer = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]{1,9}$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));
};

// A URL the regex accepts but `new URL()` cannot parse would fail later, outside this error
// path, with an error that carries the whole URL, password included.
const isParsableUrl = (value: string) => {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
};

// Secrets are never echoed in a message, so an entry is only checked for being non-empty.
const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean),
);

const EnvSchema = z.object({
  NODE_ENV: optional(z.enum(['development', 'test', 'production'])),
  HOST: optional(z.string()),
  PORT: optional(integer(0, 65535)),
  DATABASE_URL: optional(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .refine(isParsableUrl, 'must be a valid URL'),
  ),
  DATA_DIR: optional(z.string()),
  DB_POOL_MAX: optional(integer(1, 500)),
  JWT_SECRET: optional(z.string()),
  JWT_PREVIOUS_SECRETS: optional(commaList),
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
  LOGIN_THROTTLE_WINDOW_SECONDS: optional(integer(1, 86_400)),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: optional(integer(1, 1000)),
  LOGIN_MAX_FAILURES_PER_ADDRESS: optional(integer(1, 100_000)),
  TRUST_PROXY: optional(integer(0, 10)),
  CURSOR_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  BODY_LIMIT: optional(z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 100kb or 1mb')),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
});

export interface Config {
  environment: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** PostgreSQL URL; undefined selects the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolMax: number;
  jwt: JwtConfig;
  accounts: AccountsConfig;
  /** How many proxies in front set X-Forwarded-For; 0 trusts none (the client is the peer). */
  trustProxy: number;
  /** Signs list cursors; when unset, a key derived from the JWT secret does. */
  cursorSecret: string | undefined;
  bodyLimit: string;
  logLevel: string;
  /** Things worth telling the operator at start, e.g. that a default secret is in use. */
  warnings: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration; the only place that reads the environment. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const environment = e.NODE_ENV ?? 'development';
  const warnings: string[] = [];
  let auth: ReturnType<typeof resolveAuthConfig>;
  try {
    auth = resolveAuthConfig(e, environment === 'production', warnings);
  } catch (error) {
    if (error instanceof AuthConfigError) throw new ConfigError(error.message);
    throw error;
  }
  // Cursors are signed with a key derived from the JWT secret unless told otherwise; with no
  // secret (a provider only), nothing else could sign them consistently across instances.
  if (e.CURSOR_SECRET === undefined && auth.jwt.secret === undefined) {
    if (environment === 'production') {
      throw new ConfigError('CURSOR_SECRET must be set when no JWT_SECRET is in use');
    }
    warnings.push('CURSOR_SECRET is not set: list cursors use a development key');
  }
  return {
    environment,
    host: e.HOST ?? '127.0.0.1',
    port: e.PORT ?? 3000,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR ?? '.data/pglite'),
    poolMax: e.DB_POOL_MAX ?? 10,
    jwt: auth.jwt,
    accounts: auth.accounts,
    trustProxy: e.TRUST_PROXY ?? 0,
    cursorSecret: e.CURSOR_SECRET,
    bodyLimit: e.BODY_LIMIT ?? '100kb',
    logLevel: e.LOG_LEVEL ?? 'info',
    warnings,
  };
}
