import path from 'node:path';
import { z } from 'zod';
import {
  AuthConfigError,
  DEVELOPMENT_JWT_SECRET,
  resolveAuthConfig,
  type AccountsConfig,
  type JwtConfig,
} from './auth/auth-config.js';
import { authEnvShape } from './auth/auth-env.js';
import { parseOrigin, type CorsConfig } from './http/cors.js';
import { isLoopbackHost } from './http/loopback.js';
import { DEFAULT_KEY_PREFIX, type RateLimitConfig } from './http/rate-limit/rate-limit-config.js';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from './db/postgres/timeouts.js';
import {
  DEFAULT_HTTP_TIMEOUTS,
  httpTimeoutsProblem,
  httpTimeoutsWarnings,
  type HttpTimeouts,
} from './http/http-timeouts.js';
import {
  DEFAULT_USER_QUEUE,
  DEFAULT_USER_QUEUE_WAIT_MS,
  defaultUserConcurrency,
  type UserConcurrencyConfig,
} from './http/user-concurrency-config.js';
import { cursorKey } from './resources/cursor.js';
import { LOG_LEVELS, type RequestLogLevel } from './http/request-logging.js';
import type { ShutdownConfig } from './http/shutdown.js';
import { integer, isParsableUrl, optional } from './env-values.js';
import {
  MailConfigError,
  mailEnvShape,
  resolveMailConfig,
  type MailConfig,
} from './mail/mail-config.js';

export { DEVELOPMENT_JWT_SECRET, type AccountsConfig, type JwtConfig } from './auth/auth-config.js';

// CORS_ORIGINS: exact origins, comma-separated, each normalised as a browser sends `Origin`.
const originList = z.string().transform((value, ctx) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((entry) => {
      const parsed = parseOrigin(entry);
      if ('origin' in parsed) return [parsed.origin];
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.problem });
      return [];
    }),
);

const logLevel = z.enum(LOG_LEVELS);

// Every variable the server reads, and the only place any of them is parsed.
const EnvSchema = z.object({
  NODE_ENV: optional(z.enum(['development', 'test', 'production'])),
  HOST: optional(z.string()),
  PORT: optional(integer(0, 65535)),
  HTTP_HEADERS_TIMEOUT_MS: optional(integer(0, 3_600_000)),
  HTTP_REQUEST_TIMEOUT_MS: optional(integer(0, 3_600_000)),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: optional(integer(0, 3_600_000)),
  DATABASE_URL: optional(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .refine(isParsableUrl, 'must be a valid URL'),
  ),
  DATA_DIR: optional(z.string()),
  DB_POOL_MAX: optional(integer(1, 500)),
  DB_USER_CONCURRENCY: optional(integer(1, 500)),
  DB_USER_QUEUE: optional(integer(0, 100_000)),
  DB_USER_QUEUE_WAIT_MS: optional(integer(0, 60_000)),
  DB_CONNECT_TIMEOUT_MS: optional(integer(100, 60_000)),
  DB_ACQUIRE_TIMEOUT_MS: optional(integer(100, 60_000)),
  DB_STATEMENT_TIMEOUT_MS: optional(integer(0, 3_600_000)),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: optional(integer(0, 3_600_000)),
  SEARCH_TIMEOUT_MS: optional(integer(1, 3_600_000)),
  DATABASE_POOLER: optional(z.enum(['none', 'transaction'])),
  SHUTDOWN_DELAY_MS: optional(integer(0, 600_000)),
  SHUTDOWN_TIMEOUT_MS: optional(integer(100, 600_000)),
  ...authEnvShape,
  TRUST_PROXY: optional(integer(0, 10)),
  CORS_ORIGINS: optional(originList),
  CURSOR_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  BODY_LIMIT: optional(z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 100kb or 1mb')),
  RATE_LIMIT: optional(z.enum(['on', 'off'])),
  RATE_LIMIT_API_BURST: optional(integer(1, 1_000_000)),
  RATE_LIMIT_API_PER_SECOND: optional(integer(1, 1_000_000)),
  RATE_LIMIT_AUTH_BURST: optional(integer(1, 1_000_000)),
  RATE_LIMIT_AUTH_PER_SECOND: optional(integer(1, 1_000_000)),
  // Checked like DATABASE_URL, and for the same reason never echoed: it may hold a password.
  REDIS_URL: optional(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .refine(isParsableUrl, 'must be a valid URL'),
  ),
  LOG_LEVEL: optional(logLevel),
  REQUEST_LOG_LEVEL: optional(logLevel),
  LOG_QUERY_VALUES: optional(z.enum(['on', 'off'])),
  TOKEN_CACHE_SIZE: optional(integer(0, 1_000_000)),
  TOKEN_CACHE_MAX_AGE_SECONDS: optional(integer(1, 3600)),
  TOKEN_REVOCATION_POLL_MS: optional(integer(100, 5000)),
  DATABASE_PREPARED: optional(z.enum(['on', 'off'])),
  RESPONSE_VALIDATION: optional(z.enum(['on', 'off'])),
  REQUIRE_IF_MATCH: optional(z.enum(['on', 'off'])),
  IDEMPOTENCY_KEY_TTL_SECONDS: optional(integer(1, 30 * 86_400)),
  ...mailEnvShape,
  CHANGES_RETENTION_HOURS: optional(integer(1, 24 * 366)),
  CHANGES_STREAMS_PER_USER: optional(integer(1, 10_000)),
  DATABASE_LISTEN_URL: optional(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .refine(isParsableUrl, 'must be a valid URL'),
  ),
});

/** The environment as the schema parsed it: typed and checked, defaults not yet applied. */
export type Env = z.output<typeof EnvSchema>;

export interface Config {
  environment: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** Node's HTTP server timeouts (see http/http-timeouts.ts). */
  http: HttpTimeouts;
  /** PostgreSQL URL; undefined selects the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolMax: number;
  /** Each user's share of the database: requests served at once, waiting, how long. */
  userConcurrency: UserConcurrencyConfig;
  /** Bounds on every wait on PostgreSQL (the embedded database has none to bound). */
  databaseTimeouts: DatabaseTimeouts;
  /** DATABASE_URL is a transaction pooler (PgBouncer): the timeouts are the role's, not SET. */
  transactionPooler: boolean;
  shutdown: ShutdownConfig;
  jwt: JwtConfig;
  accounts: AccountsConfig;
  /** How many proxies in front set X-Forwarded-For; 0 trusts none (the client is the peer). */
  trustProxy: number;
  /** The origins whose pages may call the API from a browser; none (the default) is no CORS. */
  cors: CorsConfig;
  /** Signs list cursors: derived from CURSOR_SECRET, else from the JWT secret in use. */
  cursorKey: Buffer;
  bodyLimit: string;
  /** Token buckets per user (`/api`) and per client address (`/auth`). */
  rateLimit: RateLimitConfig;
  logLevel: string;
  /** The level of the one line logged per request (errors and refusals log higher). */
  requestLogLevel: RequestLogLevel;
  /** Whether request lines keep query values (`?q=milk`), not only names (`?q=…`): debugging. */
  logQueryValues: boolean;
  /** Verified tokens remembered, so a client's requests skip the signature check. */
  tokenCache: { maxEntries: number; maxAgeMs: number };
  /** How often each instance reads revocations made by others (sign-out everywhere). */
  revocationPollMs: number;
  /** Named prepared statements on PostgreSQL (off for poolers that cannot keep them). */
  preparedStatements: boolean;
  /**
   * Whether every response is checked against the contract before it is sent. Off in
   * production by default: the repository selects and copies only declared columns, so no
   * column can leak, and the check costs a parse of every body (see docs/performance.md).
   */
  responseValidation: boolean;
  /** Whether the web app's source maps are served: not in production (they give the source away). */
  sourceMaps: boolean;
  /** Whether PUT, PATCH and DELETE without If-Match are refused (428) instead of applied. */
  requireIfMatch: boolean;
  /** How long the answer to a request with an Idempotency-Key is kept for its retries. */
  idempotencyKeyTtlSeconds: number;
  /**
   * The longest a list with `q` may run: a search reads every one of the owner's rows its
   * filters leave, so one account's searches are bounded apart from everyone's statements.
   */
  searchTimeoutMs: number;
  /** Mail: how it leaves, where its links point, and the accounts' mail rules. */
  mail: MailConfig;
  /** The change feed (docs/changes.md). */
  changes: ChangesConfig;
  /** Things worth telling the operator at start, e.g. that a default secret is in use. */
  warnings: string[];
}

export type { RequestLogLevel, ShutdownConfig };

export interface ChangesConfig {
  /** How long changes are kept; a cursor older than what is kept is a 410. */
  retentionHours: number;
  /** Open change streams per user on one instance; one more is a 429. */
  streamsPerUser: number;
  /** Where the change listener connects (LISTEN); undefined on the embedded database. */
  listenUrl: string | undefined;
  /** The longest a stream stays silent (a comment line). */
  heartbeatMs: number;
  /** How often the safety poll looks for changes a lost NOTIFY would hide. */
  pollMs: number;
  /** The reconnect delay a stream's `event: end` suggests. */
  retryMs: number;
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
  const host = e.HOST ?? '127.0.0.1';
  let auth: ReturnType<typeof resolveAuthConfig>;
  try {
    const production = environment === 'production';
    const exposedAt = isLoopbackHost(host) ? undefined : host;
    auth = resolveAuthConfig(e, { production, exposedAt }, warnings);
  } catch (error) {
    if (error instanceof AuthConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const shutdown: ShutdownConfig = {
    delayMs: e.SHUTDOWN_DELAY_MS ?? 0,
    timeoutMs: e.SHUTDOWN_TIMEOUT_MS ?? 10_000,
  };
  // The deadline counts from the signal, delay included, as an orchestrator's grace period does.
  if (shutdown.delayMs >= shutdown.timeoutMs) {
    throw new ConfigError(
      'Invalid configuration: SHUTDOWN_DELAY_MS must be less than SHUTDOWN_TIMEOUT_MS, which ' +
        'counts from the signal and must leave time for requests to finish',
    );
  }
  const http: HttpTimeouts = {
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS ?? DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs,
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS ?? DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs,
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS ?? DEFAULT_HTTP_TIMEOUTS.keepAliveTimeoutMs,
  };
  const httpProblem = httpTimeoutsProblem(http);
  if (httpProblem !== undefined) throw new ConfigError(httpProblem);
  warnings.push(...httpTimeoutsWarnings(http));
  const poolMax = e.DB_POOL_MAX ?? 10;
  const userConcurrency: UserConcurrencyConfig = {
    concurrency: e.DB_USER_CONCURRENCY ?? defaultUserConcurrency(poolMax),
    queue: e.DB_USER_QUEUE ?? DEFAULT_USER_QUEUE,
    waitMs: e.DB_USER_QUEUE_WAIT_MS ?? DEFAULT_USER_QUEUE_WAIT_MS,
  };
  if (e.DATABASE_URL !== undefined && userConcurrency.concurrency >= poolMax && poolMax > 1) {
    warnings.push(
      `DB_USER_CONCURRENCY (${userConcurrency.concurrency}) is not below DB_POOL_MAX ` +
        `(${poolMax}): one user's requests can hold every connection, and others get 503`,
    );
  }
  if (e.DATABASE_POOLER === 'transaction' && e.DATABASE_LISTEN_URL === undefined) {
    warnings.push(
      'DATABASE_POOLER=transaction without DATABASE_LISTEN_URL: LISTEN through a transaction ' +
        "pooler can miss notifications, so change streams may see other instances' writes " +
        'only by the safety poll (1.5 s); set DATABASE_LISTEN_URL to the PostgreSQL server',
    );
  }
  // Cursors are signed with a key derived from the JWT secret unless told otherwise; with no
  // secret (a provider only), nothing else could sign them consistently across instances.
  if (e.CURSOR_SECRET === undefined && auth.jwt.secret === undefined) {
    if (environment === 'production') {
      throw new ConfigError('CURSOR_SECRET must be set when no JWT_SECRET is in use');
    }
    warnings.push('CURSOR_SECRET is not set: list cursors use a development key');
  }
  let mail: MailConfig;
  try {
    const production = environment === 'production';
    mail = resolveMailConfig(e, { production, host, port: e.PORT ?? 3000 });
  } catch (error) {
    if (error instanceof MailConfigError) throw new ConfigError(error.message);
    throw error;
  }
  // Outside production a provider-only setup may have no secret at all; the warning says so.
  const cursorSeed = auth.jwt.secret ?? DEVELOPMENT_JWT_SECRET;
  return {
    environment,
    host,
    port: e.PORT ?? 3000,
    http,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR ?? '.data/pglite'),
    poolMax,
    userConcurrency,
    databaseTimeouts: {
      connectMs: e.DB_CONNECT_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.connectMs,
      acquireMs: e.DB_ACQUIRE_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.acquireMs,
      statementMs: e.DB_STATEMENT_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.statementMs,
      idleInTransactionMs:
        e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.idleInTransactionMs,
    },
    transactionPooler: e.DATABASE_POOLER === 'transaction',
    shutdown,
    jwt: auth.jwt,
    accounts: auth.accounts,
    trustProxy: e.TRUST_PROXY ?? 0,
    cors: { origins: [...new Set(e.CORS_ORIGINS ?? [])] },
    cursorKey: cursorKey(e.CURSOR_SECRET, cursorSeed),
    bodyLimit: e.BODY_LIMIT ?? '100kb',
    rateLimit: {
      enabled: e.RATE_LIMIT !== 'off',
      api: { burst: e.RATE_LIMIT_API_BURST ?? 300, perSecond: e.RATE_LIMIT_API_PER_SECOND ?? 100 },
      auth: { burst: e.RATE_LIMIT_AUTH_BURST ?? 30, perSecond: e.RATE_LIMIT_AUTH_PER_SECOND ?? 1 },
      redisUrl: e.REDIS_URL,
      keyPrefix: DEFAULT_KEY_PREFIX,
    },
    logLevel: e.LOG_LEVEL ?? 'info',
    requestLogLevel: e.REQUEST_LOG_LEVEL ?? 'info',
    logQueryValues: e.LOG_QUERY_VALUES === 'on',
    tokenCache: {
      maxEntries: e.TOKEN_CACHE_SIZE ?? 10_000,
      maxAgeMs: (e.TOKEN_CACHE_MAX_AGE_SECONDS ?? 60) * 1000,
    },
    // Within 5 s on every instance, the promise of docs/authentication.md, with room to spare.
    revocationPollMs: e.TOKEN_REVOCATION_POLL_MS ?? 1000,
    preparedStatements: e.DATABASE_PREPARED !== 'off',
    responseValidation:
      (e.RESPONSE_VALIDATION ?? (environment === 'production' ? 'off' : 'on')) === 'on',
    sourceMaps: environment !== 'production',
    requireIfMatch: e.REQUIRE_IF_MATCH === 'on',
    // A day, as the IETF draft suggests: longer than any client's retries, short enough that
    // the stored answers stay a small table.
    idempotencyKeyTtlSeconds: e.IDEMPOTENCY_KEY_TTL_SECONDS ?? 86_400,
    // A third of the statement timeout: a search of 200 000 rows measured ~190 ms here.
    searchTimeoutMs: e.SEARCH_TIMEOUT_MS ?? 500,
    mail,
    changes: {
      retentionHours: e.CHANGES_RETENTION_HOURS ?? 168,
      streamsPerUser: e.CHANGES_STREAMS_PER_USER ?? 10,
      // LISTEN needs a session of its own on the server, which a transaction pooler does not
      // give: DATABASE_LISTEN_URL names a direct connection when DATABASE_URL is a pooler's.
      listenUrl: e.DATABASE_LISTEN_URL ?? e.DATABASE_URL,
      heartbeatMs: 15_000,
      pollMs: 1_500,
      retryMs: 1_000,
    },
    warnings,
  };
}
