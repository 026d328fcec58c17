import path from 'node:path';
import { z } from 'zod';

// Signing with a guessable secret lets anyone mint tokens, so this default exists only so a
// developer can start the server with no set-up; production refuses it (see loadConfig).
export const DEVELOPMENT_JWT_SECRET = 'enclave-development-secret-not-for-production-use';
const MIN_PRODUCTION_SECRET_BYTES = 32;

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
  JWT_ALGORITHM: optional(z.enum(['HS256', 'HS384', 'HS512'])),
  JWT_ISSUER: optional(z.string()),
  JWT_AUDIENCE: optional(z.string()),
  JWT_CLOCK_TOLERANCE_SECONDS: optional(integer(0, 300)),
  CURSOR_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  BODY_LIMIT: optional(z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 100kb or 1mb')),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
});

export interface JwtConfig {
  secret: string;
  algorithm: 'HS256' | 'HS384' | 'HS512';
  issuer: string | undefined;
  audience: string | undefined;
  clockToleranceSeconds: number;
}

export interface Config {
  environment: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** PostgreSQL URL; undefined selects the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolMax: number;
  jwt: JwtConfig;
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
  let secret = e.JWT_SECRET;
  if (environment === 'production') {
    if (secret === undefined || Buffer.byteLength(secret) < MIN_PRODUCTION_SECRET_BYTES) {
      throw new ConfigError(
        `JWT_SECRET must be set to at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production ` +
          `(generate one with: node -e "console.log(require('crypto').randomBytes(48).toString('base64'))")`,
      );
    }
    // Long enough, but published in this file: anyone could mint tokens with it.
    if (secret === DEVELOPMENT_JWT_SECRET) {
      throw new ConfigError(
        'JWT_SECRET must not be the built-in development secret when NODE_ENV=production',
      );
    }
  } else if (secret === undefined) {
    secret = DEVELOPMENT_JWT_SECRET;
    warnings.push(
      'JWT_SECRET is not set: using the built-in development secret (never in production)',
    );
  }
  return {
    environment,
    host: e.HOST ?? '127.0.0.1',
    port: e.PORT ?? 3000,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR ?? '.data/pglite'),
    poolMax: e.DB_POOL_MAX ?? 10,
    jwt: {
      secret,
      algorithm: e.JWT_ALGORITHM ?? 'HS256',
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      clockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_SECONDS ?? 0,
    },
    cursorSecret: e.CURSOR_SECRET,
    bodyLimit: e.BODY_LIMIT ?? '100kb',
    logLevel: e.LOG_LEVEL ?? 'info',
    warnings,
  };
}
