import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from '@enclave/client';
import jwt from 'jsonwebtoken';
import { sql } from 'kysely';
import { createApp } from '../src/app.js';
import { tokenRevocations } from '../src/auth/token-revocations.js';
import { createTokenVerifier } from '../src/auth/token-verifier.js';
import type { RegisteredResource } from '../src/resources/generic-resource.js';
import { ChangeHub } from '../src/changes/change-hub.js';
import { changeNotifier, listenForChanges, pollForChanges } from '../src/changes/change-wakeups.js';
import type { AccountsConfig, ChangesConfig, JwtConfig } from '../src/config.js';
import type { Db } from '../src/db/schema.js';
import { CORS_OFF, type CorsConfig } from '../src/http/cors.js';
import { Readiness } from '../src/http/health.js';
import type { MemoryStoreOptions } from '../src/http/rate-limit/memory-store.js';
import { createRateLimits, type RateLimitConfig } from '../src/http/rate-limit/rate-limits.js';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from '../src/http/http-timeouts.js';
import { createHttpServer } from '../src/http/server.js';
import {
  DEFAULT_USER_QUEUE,
  DEFAULT_USER_QUEUE_WAIT_MS,
  defaultUserConcurrency,
  type UserConcurrencyConfig,
} from '../src/http/user-concurrency-config.js';
import { createLogger, type Logger } from '../src/logger.js';
import type { MailConfig } from '../src/mail/mail-config.js';
import { openTestDatabase, testDatabaseUrl } from './database.js';
import { hs256Config } from './jwt-config.js';
import { recording } from './sql-recorder.js';
import { TEST_RESOURCES } from './test-schema.js';

export interface TestServer {
  baseUrl: string;
  /** The server's database, for arranging and inspecting data; the server's own statements
   * go through a recording handle (sql-recorder.ts). */
  db: Db;
  jwt: JwtConfig;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The server's phase (ready once started); a test may move it on, e.g. to draining. */
  readiness: Readiness;
  /** The Node server itself, for what only it can tell (its timeouts, its connections). */
  httpServer: Server;
  /** The server's open change streams. */
  changeHub: ChangeHub;
  /** A valid token for `userId`; `claims` and `options` override what is signed. */
  tokenFor(userId: string, claims?: jwt.JwtPayload, options?: jwt.SignOptions): string;
  /** The typed client acting as `userId`, or with an explicit token (or none). */
  clientFor(userId: string): Client;
  clientWithToken(token: string | undefined): Client;
  /** Plain fetch against the server, for requests the typed client cannot make. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  db?: Db;
  /** Verified-token cache; production's defaults unless given ({ maxEntries: 0 } is none). */
  tokenCache?: { maxEntries: number; maxAgeMs: number };
  /** Whether answers are checked against the contract (on, as in development, by default). */
  responseValidation?: boolean;
  jwt?: Partial<JwtConfig>;
  accounts?: Partial<Omit<AccountsConfig, 'throttle'>> & {
    throttle?: Partial<AccountsConfig['throttle']>;
  };
  /** Proxies trusted for X-Forwarded-For: lets a test speak from many client addresses. */
  trustProxy?: number;
  /** CORS_ORIGINS, parsed; off (as by default) unless given. */
  cors?: CorsConfig;
  bodyLimit?: string;
  /** Each user's share of the database, over the production defaults (for a pool of 10). */
  userConcurrency?: Partial<UserConcurrencyConfig>;
  /** LOG_QUERY_VALUES=on: request lines keep query values. */
  logQueryValues?: boolean;
  /** REQUIRE_IF_MATCH=on: PUT, PATCH and DELETE without If-Match answer 428. */
  requireIfMatch?: boolean;
  /** IDEMPOTENCY_KEY_TTL_SECONDS; a day, as by default, unless given. */
  idempotencyKeyTtlSeconds?: number;
  /** SEARCH_TIMEOUT_MS; production's default unless given. */
  searchTimeoutMs?: number;
  /** Whether the web app's source maps are served (as outside production, by default). */
  sourceMaps?: boolean;
  /** Node's HTTP timeouts, over the production defaults. */
  http?: Partial<HttpTimeouts>;
  /** How often revocations made elsewhere are read (TOKEN_REVOCATION_POLL_MS; 1 s). */
  revocationPollMs?: number;
  /** false: the server stays in its starting phase (database not ready) until a test says. */
  ready?: boolean;
  /** Turns rate limiting on (it is off without this), with these settings over loose ones:
   * in memory, a key prefix of the server's own. `now` and `maxKeys` tune the memory store. */
  rateLimit?: Partial<RateLimitConfig> & MemoryStoreOptions;
  /** Mail settings over the tests' (mails to the log, links to http://app.test). */
  mail?: Partial<MailConfig>;
  /** The outbox sender's wake-up, when a test runs one. */
  wakeOutbox?: () => void;
  /** The change feed's settings over production's (listening on the run's PostgreSQL). */
  changes?: Partial<ChangesConfig>;
}

/** Mail as the tests have it unless told: written to the outbox, sent by no one. */
export const TEST_MAIL: MailConfig = {
  delivery: 'log',
  smtpUrl: undefined,
  smtpHost: undefined,
  from: 'Enclave tests <no-reply@app.test>',
  appUrl: 'http://app.test',
  passwordResetMinutes: 30,
  verificationHours: 48,
  resendIntervalSeconds: 60,
  requireVerifiedEmail: false,
};

/** A test's own throttling, loose enough that no other test's failed logins trip it. */
const TEST_THROTTLE: AccountsConfig['throttle'] = {
  windowSeconds: 900,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 100_000,
};

function testRateLimits(
  { now, maxKeys, ...config }: NonNullable<TestServerOptions['rateLimit']>,
  logger: Logger,
) {
  const loose = { burst: 1000, perSecond: 1000 };
  return createRateLimits(
    {
      enabled: true,
      api: loose,
      auth: loose,
      redisUrl: undefined,
      keyPrefix: `enclave-test:${randomUUID()}:`,
      ...config,
    },
    logger,
    { now, maxKeys },
  );
}

/** A fresh user id, so test files can run in parallel on one database without cleanup. */
export function newUserId(): string {
  return `user-${randomUUID()}`;
}

/** Starts the real app on a free port with its own JWT secret and a log capture. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = options.db ?? (await openTestDatabase());
  const ownsDb = options.db === undefined;
  const jwtConfig = hs256Config(options.jwt);
  const accounts: AccountsConfig = {
    enabled: true,
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 3600,
    sessionAbsoluteSeconds: 90 * 86_400,
    ...options.accounts,
    throttle: { ...TEST_THROTTLE, ...options.accounts?.throttle },
  };
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const rateLimits =
    options.rateLimit === undefined ? undefined : testRateLimits(options.rateLimit, logger);
  const readiness = new Readiness({ checkDatabase: () => sql`select 1`.execute(db) });
  if (options.ready !== false) readiness.markReady();
  // Background readers (revocations, the change feed's poll and notifications) run on the
  // database unrecorded: the recorder holds what requests ran, which tests count and read.
  const revocations = tokenRevocations(db, logger, {
    pollMs: options.revocationPollMs ?? 1000,
  });
  // A test of a failing database starts its server anyway (production's main stops instead):
  // what it tests is how requests are answered then.
  await revocations.start().catch(() => undefined);
  const serverDb = recording(db);
  const changes: ChangesConfig = {
    retentionHours: 168,
    streamsPerUser: 10,
    listenUrl: testDatabaseUrl(),
    heartbeatMs: 15_000,
    pollMs: 1_500,
    retryMs: 1_000,
    ...options.changes,
  };
  const changeHub = new ChangeHub(changes.streamsPerUser);
  const instance = randomUUID();
  const stopListening =
    changes.listenUrl === undefined
      ? undefined
      : listenForChanges(changes.listenUrl, changeHub, logger, instance);
  const notifyChange =
    changes.listenUrl === undefined ? undefined : changeNotifier(db, instance, logger);
  const stopPolling = pollForChanges(db, changeHub, changes.pollMs, logger);
  const app = createApp({
    readiness,
    changeHub,
    ...(notifyChange === undefined ? {} : { notifyChange }),
    db: serverDb,
    logger,
    config: {
      jwt: jwtConfig,
      accounts,
      trustProxy: options.trustProxy ?? 0,
      cors: options.cors ?? CORS_OFF,
      bodyLimit: options.bodyLimit ?? '100kb',
      // Its own, as its JWT secret is: no cursor from another test's server is valid here.
      cursorKey: randomBytes(32),
      // As in development: every answer is checked against the contract.
      responseValidation: options.responseValidation ?? true,
      requestLogLevel: 'info',
      logQueryValues: options.logQueryValues ?? false,
      userConcurrency: {
        concurrency: defaultUserConcurrency(10),
        queue: DEFAULT_USER_QUEUE,
        waitMs: DEFAULT_USER_QUEUE_WAIT_MS,
        ...options.userConcurrency,
      },
      requireIfMatch: options.requireIfMatch ?? false,
      idempotencyKeyTtlSeconds: options.idempotencyKeyTtlSeconds ?? 86_400,
      searchTimeoutMs: options.searchTimeoutMs ?? 500,
      sourceMaps: options.sourceMaps ?? true,
      mail: { ...TEST_MAIL, ...options.mail },
      changes,
    },
    // As in production: a client's later requests reuse its token's verdict.
    verifyToken: await createTokenVerifier(
      jwtConfig,
      logger,
      options.tokenCache ?? { maxEntries: 10_000, maxAgeMs: 60_000 },
    ),
    revocations,
    rateLimits,
    ...(options.wakeOutbox === undefined ? {} : { wakeOutbox: options.wakeOutbox }),
    extraResources: TEST_RESOURCES as unknown as RegisteredResource[],
  });
  const server = createHttpServer(app, logger, {
    ...DEFAULT_HTTP_TIMEOUTS,
    ...options.http,
    bodyLimit: options.bodyLimit ?? '100kb',
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const tokenFor = (
    userId: string,
    claims: jwt.JwtPayload = {},
    signOptions: jwt.SignOptions = {},
  ) =>
    jwt.sign({ sub: userId, ...claims }, jwtConfig.secret ?? 'no HS secret: tokens will fail', {
      algorithm: jwtConfig.algorithm,
      ...(claims.exp === undefined ? { expiresIn: 300 } : {}),
      ...(jwtConfig.issuer === undefined ? {} : { issuer: jwtConfig.issuer }),
      ...(jwtConfig.audience === undefined ? {} : { audience: jwtConfig.audience }),
      ...signOptions,
    });
  const clientWithToken = (token: string | undefined) =>
    createClient(token === undefined ? { baseUrl } : { baseUrl, token });

  return {
    baseUrl,
    db,
    jwt: jwtConfig,
    logs,
    readiness,
    httpServer: server,
    changeHub,
    tokenFor,
    clientFor: (userId) => clientWithToken(tokenFor(userId)),
    clientWithToken,
    fetch: (path, init) => fetch(`${baseUrl}${path}`, init),
    close: async () => {
      stopPolling();
      await stopListening?.();
      server.closeAllConnections();
      // A test may have closed it already (a drain).
      if (server.listening) {
        await new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
      }
      revocations.stop();
      await rateLimits?.close();
      if (ownsDb) await db.destroy();
    },
  };
}
