import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from '@enclave/client';
import jwt from 'jsonwebtoken';
import { createApp } from '../src/app.js';
import { createTokenVerifier } from '../src/auth/token-verifier.js';
import type { AccountsConfig, JwtConfig } from '../src/config.js';
import type { Db } from '../src/db/schema.js';
import { createHttpServer } from '../src/http/server.js';
import { createLogger } from '../src/logger.js';
import { openTestDatabase } from './database.js';
import { hs256Config } from './jwt-config.js';
import { recording } from './sql-recorder.js';

export interface TestServer {
  baseUrl: string;
  /** The server's database, for arranging and inspecting data; the server's own statements
   * go through a recording handle (sql-recorder.ts). */
  db: Db;
  jwt: JwtConfig;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
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
  jwt?: Partial<JwtConfig>;
  accounts?: Partial<Omit<AccountsConfig, 'throttle'>> & {
    throttle?: Partial<AccountsConfig['throttle']>;
  };
  /** Proxies trusted for X-Forwarded-For: lets a test speak from many client addresses. */
  trustProxy?: number;
  bodyLimit?: string;
}

/** A test's own throttling, loose enough that no other test's failed logins trip it. */
const TEST_THROTTLE: AccountsConfig['throttle'] = {
  windowSeconds: 900,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 100_000,
};

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
    ...options.accounts,
    throttle: { ...TEST_THROTTLE, ...options.accounts?.throttle },
  };
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const app = createApp({
    db: recording(db),
    logger,
    config: {
      jwt: jwtConfig,
      accounts,
      trustProxy: options.trustProxy ?? 0,
      bodyLimit: options.bodyLimit ?? '100kb',
      cursorSecret: undefined,
    },
    verifyToken: await createTokenVerifier(jwtConfig, logger),
  });
  const server = createHttpServer(app, logger);
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
    tokenFor,
    clientFor: (userId) => clientWithToken(tokenFor(userId)),
    clientWithToken,
    fetch: (path, init) => fetch(`${baseUrl}${path}`, init),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      if (ownsDb) await db.destroy();
    },
  };
}
