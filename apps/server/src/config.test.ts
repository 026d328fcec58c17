import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configError } from '../test/config-error.js';
import { DEVELOPMENT_JWT_SECRET, loadConfig } from './config.js';
import { cursorKey } from './resources/cursor.js';

// 32 bytes, and random (a production secret must be both): openssl rand -base64 24.
const GOOD_SECRET = 'q3Xv9LmT2bWk7RzN0cYp5HsJd8FgA1eU';

describe('loadConfig defaults', () => {
  it('starts with no configuration at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      environment: 'development',
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      poolMax: 10,
      userConcurrency: { concurrency: 4, queue: 32, waitMs: 1000 },
      bodyLimit: '100kb',
      logLevel: 'info',
      requestLogLevel: 'info',
      logQueryValues: false,
      tokenCache: { maxEntries: 10_000, maxAgeMs: 60_000 },
      preparedStatements: true,
      responseValidation: true,
      jwt: {
        secret: DEVELOPMENT_JWT_SECRET,
        algorithm: 'HS256',
        issuer: undefined,
        audience: undefined,
        clockToleranceSeconds: 0,
      },
    });
  });

  it("serves the web app's source maps outside production only", () => {
    expect(loadConfig({}).sourceMaps).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).sourceMaps).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET }).sourceMaps).toBe(false);
  });

  it('checks responses against the contract outside production only, unless told', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET };
    expect(loadConfig(production).responseValidation).toBe(false);
    expect(loadConfig({ ...production, RESPONSE_VALIDATION: 'on' }).responseValidation).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).responseValidation).toBe(true);
    expect(loadConfig({ RESPONSE_VALIDATION: 'off' }).responseValidation).toBe(false);
    expect(() => loadConfig({ RESPONSE_VALIDATION: 'sometimes' })).toThrow(/RESPONSE_VALIDATION/);
    expect(() => loadConfig({ DATABASE_PREPARED: 'maybe' })).toThrow(/DATABASE_PREPARED/);
    expect(() => loadConfig({ TOKEN_CACHE_MAX_AGE_SECONDS: '0' })).toThrow(
      /TOKEN_CACHE_MAX_AGE_SECONDS/,
    );
  });

  it('selects the embedded database in an absolute DATA_DIR when DATABASE_URL is unset', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config.dataDir).toBe(path.resolve('.data/pglite'));
  });

  it('resolves a relative DATA_DIR against the working directory', () => {
    const config = loadConfig({ DATA_DIR: 'some/where' });
    expect(config.dataDir).toBe(path.join(process.cwd(), 'some', 'where'));
    expect(loadConfig({ DATA_DIR: '/var/lib/enclave' }).dataDir).toBe(
      path.resolve('/var/lib/enclave'),
    );
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      HTTP_HEADERS_TIMEOUT_MS: '15000',
      HTTP_REQUEST_TIMEOUT_MS: '60000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      DATABASE_URL: 'postgresql://app:pw@db.internal:5433/enclave',
      DB_POOL_MAX: '25',
      DB_USER_CONCURRENCY: '6',
      DB_USER_QUEUE: '10',
      DB_USER_QUEUE_WAIT_MS: '500',
      DB_CONNECT_TIMEOUT_MS: '2000',
      DB_ACQUIRE_TIMEOUT_MS: '1500',
      DB_STATEMENT_TIMEOUT_MS: '5000',
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
      DATABASE_POOLER: 'transaction',
      SHUTDOWN_DELAY_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '25000',
      JWT_SECRET: GOOD_SECRET,
      JWT_ALGORITHM: 'HS512',
      JWT_ISSUER: 'https://issuer.example',
      JWT_AUDIENCE: 'enclave-api',
      JWT_CLOCK_TOLERANCE_SECONDS: '30',
      BODY_LIMIT: '1mb',
      RATE_LIMIT: 'on',
      RATE_LIMIT_API_BURST: '600',
      RATE_LIMIT_API_PER_SECOND: '200',
      RATE_LIMIT_AUTH_BURST: '10',
      RATE_LIMIT_AUTH_PER_SECOND: '2',
      REDIS_URL: 'rediss://app:pw@cache.internal:6380/2',
      LOG_LEVEL: 'debug',
      REQUEST_LOG_LEVEL: 'debug',
      LOG_QUERY_VALUES: 'on',
      TOKEN_CACHE_SIZE: '500',
      TOKEN_CACHE_MAX_AGE_SECONDS: '30',
      TOKEN_REVOCATION_POLL_MS: '250',
      SESSION_ABSOLUTE_DAYS: '30',
      DATABASE_PREPARED: 'off',
      RESPONSE_VALIDATION: 'off',
      REQUIRE_IF_MATCH: 'on',
      IDEMPOTENCY_KEY_TTL_SECONDS: '3600',
      SEARCH_TIMEOUT_MS: '250',
      CORS_ORIGINS: 'https://app.example.com,http://localhost:5173',
      SMTP_URL: 'smtps://mailer:smtp-pw@smtp.example.com:465',
      MAIL_FROM: 'Example <no-reply@example.com>',
      APP_URL: 'https://app.example.com/',
      PASSWORD_RESET_MINUTES: '20',
      REQUIRE_VERIFIED_EMAIL: 'on',
      CHANGES_RETENTION_HOURS: '24',
      CHANGES_STREAMS_PER_USER: '3',
      DATABASE_LISTEN_URL: 'postgresql://app:pw@db-direct.internal:5432/enclave',
    });
    expect(config).toEqual({
      environment: 'production',
      host: '0.0.0.0',
      port: 8080,
      http: { headersTimeoutMs: 15_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000 },
      databaseUrl: 'postgresql://app:pw@db.internal:5433/enclave',
      dataDir: path.resolve('.data/pglite'),
      poolMax: 25,
      userConcurrency: { concurrency: 6, queue: 10, waitMs: 500 },
      databaseTimeouts: {
        connectMs: 2000,
        acquireMs: 1500,
        statementMs: 5000,
        idleInTransactionMs: 0,
      },
      transactionPooler: true,
      shutdown: { delayMs: 5000, timeoutMs: 25_000 },
      jwt: {
        secret: GOOD_SECRET,
        previousSecrets: [],
        algorithm: 'HS512',
        algorithms: ['HS512'],
        issuer: 'https://issuer.example',
        audience: 'enclave-api',
        clockToleranceSeconds: 30,
        userClaim: 'sub',
        provider: undefined,
      },
      accounts: {
        enabled: true,
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 30 * 24 * 3600,
        sessionAbsoluteSeconds: 30 * 86_400,
        throttle: { windowSeconds: 900, maxFailuresPerAccount: 5, maxFailuresPerAddress: 20 },
      },
      trustProxy: 0,
      cors: { origins: ['https://app.example.com', 'http://localhost:5173'] },
      cursorKey: cursorKey(undefined, GOOD_SECRET),
      bodyLimit: '1mb',
      rateLimit: {
        enabled: true,
        api: { burst: 600, perSecond: 200 },
        auth: { burst: 10, perSecond: 2 },
        redisUrl: 'rediss://app:pw@cache.internal:6380/2',
        keyPrefix: 'enclave:rl:',
      },
      logLevel: 'debug',
      requestLogLevel: 'debug',
      logQueryValues: true,
      tokenCache: { maxEntries: 500, maxAgeMs: 30_000 },
      revocationPollMs: 250,
      preparedStatements: false,
      responseValidation: false,
      sourceMaps: false,
      requireIfMatch: true,
      idempotencyKeyTtlSeconds: 3600,
      searchTimeoutMs: 250,
      mail: {
        delivery: 'smtp',
        smtpUrl: 'smtps://mailer:smtp-pw@smtp.example.com:465',
        smtpHost: 'smtp.example.com',
        from: 'Example <no-reply@example.com>',
        appUrl: 'https://app.example.com',
        passwordResetMinutes: 20,
        verificationHours: 48,
        resendIntervalSeconds: 60,
        requireVerifiedEmail: true,
      },
      changes: {
        retentionHours: 24,
        streamsPerUser: 3,
        listenUrl: 'postgresql://app:pw@db-direct.internal:5432/enclave',
        heartbeatMs: 15_000,
        pollMs: 1_500,
        retryMs: 1_000,
      },
      warnings: [],
    });
  });

  it("gives each user at most half the pool's connections by default, and warns of more", () => {
    const pooled = (env: Record<string, string>) =>
      loadConfig({ DATABASE_URL: 'postgres://db/enclave', ...env });
    expect(pooled({ DB_POOL_MAX: '4' }).userConcurrency.concurrency).toBe(2);
    expect(pooled({ DB_POOL_MAX: '3' }).userConcurrency.concurrency).toBe(2);
    expect(pooled({ DB_POOL_MAX: '2' }).userConcurrency.concurrency).toBe(1);
    expect(pooled({ DB_POOL_MAX: '50' }).userConcurrency.concurrency).toBe(4);
    const shareWarning = expect.stringMatching(/DB_USER_CONCURRENCY/) as unknown;
    expect(pooled({ DB_POOL_MAX: '4' }).warnings).not.toContainEqual(shareWarning);
    expect(pooled({ DB_POOL_MAX: '4', DB_USER_CONCURRENCY: '4' }).warnings).toContainEqual(
      expect.stringMatching(/DB_USER_CONCURRENCY \(4\) is not below DB_POOL_MAX \(4\)/),
    );
    expect(() => loadConfig({ DB_USER_CONCURRENCY: '0' })).toThrow(/DB_USER_CONCURRENCY/);
    expect(loadConfig({ DB_USER_QUEUE: '0' }).userConcurrency.queue).toBe(0);
  });

  it('logs query parameter names only, unless LOG_QUERY_VALUES is on', () => {
    expect(loadConfig({ LOG_QUERY_VALUES: 'off' }).logQueryValues).toBe(false);
    expect(() => loadConfig({ LOG_QUERY_VALUES: 'yes' })).toThrow(/LOG_QUERY_VALUES/);
  });

  it('writes without If-Match and keeps idempotency keys a day by default', () => {
    const config = loadConfig({});
    expect(config.requireIfMatch).toBe(false);
    expect(config.idempotencyKeyTtlSeconds).toBe(86_400);
    expect(config.searchTimeoutMs).toBe(500);
    expect(() => loadConfig({ REQUIRE_IF_MATCH: 'yes' })).toThrow(/REQUIRE_IF_MATCH/);
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL_SECONDS: '0' })).toThrow(
      /IDEMPOTENCY_KEY_TTL_SECONDS must be a whole number from 1 to 2592000/,
    );
  });

  it('bounds every wait on the database and a shutdown by default', () => {
    const config = loadConfig({});
    expect(config.databaseTimeouts).toEqual({
      connectMs: 1000,
      acquireMs: 1000,
      statementMs: 1500,
      idleInTransactionMs: 10_000,
    });
    expect(config.shutdown).toEqual({ delayMs: 0, timeoutMs: 10_000 });
    expect(config.transactionPooler).toBe(false);
  });

  it('refuses a shutdown delay that leaves no time to drain', () => {
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: '10000', SHUTDOWN_TIMEOUT_MS: '10000' })).toThrow(
      /SHUTDOWN_DELAY_MS must be less than SHUTDOWN_TIMEOUT_MS/,
    );
  });

  it.each([
    ['DB_CONNECT_TIMEOUT_MS', '0'],
    ['DB_ACQUIRE_TIMEOUT_MS', '50'],
    ['DB_STATEMENT_TIMEOUT_MS', '-1'],
    ['SHUTDOWN_TIMEOUT_MS', 'soon'],
    ['DATABASE_POOLER', 'session'],
  ])('refuses %s=%s', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(new RegExp(key));
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', SOMETHING_ELSE: 'x' }).port).toBe(3000);
  });
});

describe('loadConfig: the JWT secret', () => {
  it.each([{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }])(
    'falls back to the development secret with a warning outside production (%o)',
    (env) => {
      const config = loadConfig(env);
      expect(config.jwt.secret).toBe(DEVELOPMENT_JWT_SECRET);
      expect(config.warnings).toHaveLength(1);
      expect(config.warnings[0]).toMatch(/JWT_SECRET/);
      // The warning is logged, so it must not carry the secret itself.
      expect(config.warnings[0]).not.toContain(DEVELOPMENT_JWT_SECRET);
    },
  );

  it('warns about nothing when a secret is given in development', () => {
    const config = loadConfig({ JWT_SECRET: 'short-but-fine-for-development' });
    expect(config.jwt.secret).toBe('short-but-fine-for-development');
    expect(config.warnings).toEqual([]);
  });

  it('refuses production without JWT_SECRET, explaining what to do', () => {
    const message = configError({ NODE_ENV: 'production' });
    expect(message).toMatch(/JWT_SECRET/);
    expect(message).toMatch(/32 bytes/);
    expect(message).toMatch(/NODE_ENV=production/);
  });

  it('refuses a 31-byte secret in production without echoing it', () => {
    const secret = 'S3cr3t-'.padEnd(31, 'z');
    expect(Buffer.byteLength(secret)).toBe(31);
    const message = configError({ NODE_ENV: 'production', JWT_SECRET: secret });
    expect(message).toMatch(/JWT_SECRET/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('S3cr3t');
  });

  it('accepts exactly 32 bytes in production, with no warning', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET });
    expect(config.jwt.secret).toBe(GOOD_SECRET);
    expect(config.warnings).toEqual([]);
  });

  it('counts bytes, not characters', () => {
    // 20 ASCII and 6 two-byte characters are 32 bytes; one ASCII character fewer, 31.
    const ascii = 'Jb3v9Qx2mT7kLp4Wz8Rn';
    const accented = 'éèêëàâ';
    expect(Buffer.byteLength(ascii + accented)).toBe(32);
    const secret = `${ascii}${accented}`;
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).jwt.secret).toBe(secret);
    const message = configError({ NODE_ENV: 'production', JWT_SECRET: ascii.slice(1) + accented });
    expect(message).toMatch(/at least 32 bytes/);
  });

  it.each([
    ['one character repeated', 'x'.repeat(32)],
    ['two characters alternating', 'ab'.repeat(32)],
    ['a word repeated', 'password'.repeat(8)],
    ['a short pattern repeated', '0123456789'.repeat(6)],
  ])('refuses a secret that is not random in production: %s', (_name, secret) => {
    const message = configError({ NODE_ENV: 'production', JWT_SECRET: secret });
    expect(message).toMatch(/JWT_SECRET does not look random \(an estimated \d+ bits/);
    expect(message).toMatch(/openssl rand -base64 48/);
    expect(message).not.toContain(secret);
  });

  it('accepts a secret made as the README says', () => {
    const secret = randomBytes(48).toString('base64');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).jwt.secret).toBe(secret);
  });

  it('refuses the published development secret in production, though it is long enough', () => {
    const message = configError({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET });
    expect(message).toMatch(/JWT_SECRET/);
    expect(message).not.toContain(DEVELOPMENT_JWT_SECRET);
  });

  it('never puts the secret in the message when another variable is invalid', () => {
    const secret = 'do-not-print-me-0123456789abcdef';
    const message = configError({ NODE_ENV: 'production', JWT_SECRET: secret, PORT: 'nope' });
    expect(message).toMatch(/\bPORT\b/);
    expect(message).not.toContain(secret);
  });
});

describe('loadConfig: the development secret on an address others reach', () => {
  const EXPOSED = ['0.0.0.0', '::', '192.168.1.20', 'enclave.internal'];

  it.each(
    EXPOSED.flatMap((HOST) => [
      { HOST },
      { HOST, NODE_ENV: 'development' },
      { HOST, NODE_ENV: 'test' },
    ]),
  )('refuses it whatever NODE_ENV says (%o), naming JWT_SECRET', (env) => {
    const message = configError(env);
    expect(message).toMatch(/JWT_SECRET is not set/);
    expect(message).toContain(`HOST=${env.HOST}`);
    expect(message).toMatch(/openssl rand -base64 48/);
    expect(message).toMatch(/JWT_ALLOW_DEVELOPMENT_SECRET=on/);
    expect(message).not.toContain(DEVELOPMENT_JWT_SECRET);
  });

  it('refuses it given by name too, as the current or a previous secret', () => {
    const host = { HOST: '0.0.0.0' };
    expect(configError({ ...host, JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toMatch(/JWT_SECRET/);
    const previous = configError({
      ...host,
      JWT_SECRET: GOOD_SECRET,
      JWT_PREVIOUS_SECRETS: `${GOOD_SECRET}x, ${DEVELOPMENT_JWT_SECRET}`,
    });
    expect(previous).toMatch(/JWT_PREVIOUS_SECRETS holds the built-in development secret/);
    expect(previous).not.toContain(DEVELOPMENT_JWT_SECRET);
  });

  it.each(['127.0.0.1', '::1', 'localhost', ''])(
    'keeps it on a loopback address (HOST=%o)',
    (HOST) => {
      expect(loadConfig({ HOST }).jwt.secret).toBe(DEVELOPMENT_JWT_SECRET);
    },
  );

  it('allows a real secret anywhere, outside production without the entropy rule', () => {
    expect(loadConfig({ HOST: '0.0.0.0', JWT_SECRET: GOOD_SECRET }).warnings).toEqual([]);
    expect(loadConfig({ HOST: '0.0.0.0', JWT_SECRET: 'short-dev-secret' }).jwt.secret).toBe(
      'short-dev-secret',
    );
  });

  it('allows it for a demo when asked by name, and says so loudly', () => {
    const config = loadConfig({ HOST: '0.0.0.0', JWT_ALLOW_DEVELOPMENT_SECRET: 'on' });
    expect(config.jwt.secret).toBe(DEVELOPMENT_JWT_SECRET);
    const insecure = config.warnings.filter((warning) => warning.startsWith('INSECURE:'));
    expect(insecure).toHaveLength(1);
    expect(insecure[0]).toMatch(/HOST=0\.0\.0\.0.*sign a token for any user/);
    expect(configError({ HOST: '0.0.0.0', JWT_ALLOW_DEVELOPMENT_SECRET: 'yes' })).toMatch(
      /JWT_ALLOW_DEVELOPMENT_SECRET/,
    );
    // Never in production, asked or not.
    const production = { NODE_ENV: 'production', JWT_ALLOW_DEVELOPMENT_SECRET: 'on' };
    configError({ ...production, HOST: '0.0.0.0' });
    configError({ ...production, HOST: '0.0.0.0', JWT_SECRET: DEVELOPMENT_JWT_SECRET });
  });
});

describe('loadConfig: the list cursor key', () => {
  const CURSOR_SECRET = 'c'.repeat(32);
  const PROVIDER_ONLY = {
    AUTH_ACCOUNTS: 'off',
    JWT_JWKS_URL: 'https://tenant.example/.well-known/jwks.json',
    JWT_ISSUER: 'https://tenant.example/',
    JWT_AUDIENCE: 'enclave',
  };

  it('derives it from CURSOR_SECRET when set, whatever the JWT secret', () => {
    const key = loadConfig({ CURSOR_SECRET, JWT_SECRET: GOOD_SECRET }).cursorKey;
    expect(key).toEqual(cursorKey(CURSOR_SECRET, GOOD_SECRET));
    expect(loadConfig({ CURSOR_SECRET, JWT_SECRET: 'another-secret' }).cursorKey).toEqual(key);
    expect(loadConfig({ CURSOR_SECRET, ...PROVIDER_ONLY }).cursorKey).toEqual(key);
  });

  it('derives it from the JWT secret otherwise, never equal to that secret', () => {
    const key = loadConfig({ JWT_SECRET: GOOD_SECRET }).cursorKey;
    expect(key).toEqual(cursorKey(undefined, GOOD_SECRET));
    expect(key.toString('utf8')).not.toContain(GOOD_SECRET);
    expect(loadConfig({ JWT_SECRET: 'another-secret' }).cursorKey).not.toEqual(key);
  });

  it('falls back to the development key outside production when no secret is in use', () => {
    const config = loadConfig(PROVIDER_ONLY);
    expect(config.jwt.secret).toBeUndefined();
    expect(config.cursorKey).toEqual(cursorKey(undefined, DEVELOPMENT_JWT_SECRET));
    expect(config.warnings).toContain(
      'CURSOR_SECRET is not set: list cursors use a development key',
    );
    expect(loadConfig({}).cursorKey).toEqual(config.cursorKey);
  });

  it('refuses a CURSOR_SECRET shorter than 32 characters without echoing it', () => {
    const message = configError({ CURSOR_SECRET: 'short-cursor-secret' });
    expect(message).toMatch(/CURSOR_SECRET must be at least 32 characters/);
    expect(message).not.toContain('short-cursor-secret');
  });
});

describe('loadConfig: empty variables count as unset', () => {
  it('uses the defaults for every empty variable', () => {
    const config = loadConfig({
      NODE_ENV: '',
      HOST: '',
      PORT: '',
      HTTP_HEADERS_TIMEOUT_MS: '',
      HTTP_REQUEST_TIMEOUT_MS: '',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '',
      DATABASE_URL: '',
      DATA_DIR: '',
      DB_POOL_MAX: '',
      JWT_SECRET: '',
      JWT_ALGORITHM: '',
      JWT_ISSUER: '',
      JWT_AUDIENCE: '',
      JWT_CLOCK_TOLERANCE_SECONDS: '',
      BODY_LIMIT: '',
      LOG_LEVEL: '',
    });
    expect(config).toEqual(loadConfig({}));
  });

  it('treats an empty JWT_SECRET in production as missing', () => {
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: '' })).toMatch(/JWT_SECRET/);
  });

  it('treats an empty JWT_ISSUER / JWT_AUDIENCE as "do not check", not as an empty value', () => {
    const { jwt } = loadConfig({ JWT_ISSUER: '', JWT_AUDIENCE: '' });
    expect(jwt.issuer).toBeUndefined();
    expect(jwt.audience).toBeUndefined();
  });
});

describe('loadConfig: invalid values name the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '3000.5'],
    ['PORT', ' '],
    ['PORT', '0x10'],
    ['PORT', '1e3'],
    ['PORT', '99999999999999999999'],
    ['DB_POOL_MAX', '0'],
    ['DB_POOL_MAX', '501'],
    ['DB_POOL_MAX', 'ten'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '301'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '-5'],
    ['DATABASE_URL', 'mysql://db/enclave'],
    ['DATABASE_URL', 'localhost:5432/enclave'],
    ['DATABASE_URL', 'postgres://[not-a-host'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'INFO'],
    ['BODY_LIMIT', '100'],
    ['BODY_LIMIT', '1gb'],
    ['BODY_LIMIT', '10 kb'],
    ['BODY_LIMIT', '-1kb'],
    ['NODE_ENV', 'prod'],
    ['JWT_ALGORITHM', 'none'],
    ['JWT_ALGORITHM', 'RS256'],
    ['JWT_ALGORITHM', 'hs256'],
  ])('%s=%j is refused', (name, value) => {
    const message = configError({ [name]: value });
    expect(message).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it.each([
    ['PORT', '0', 0],
    ['PORT', '65535', 65535],
    ['PORT', '08080', 8080],
    ['DB_POOL_MAX', '1', 1],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '300', 300],
  ])('%s=%j is accepted', (name, value, expected) => {
    const config = loadConfig({ [name]: value });
    const read = {
      PORT: config.port,
      DB_POOL_MAX: config.poolMax,
      JWT_CLOCK_TOLERANCE_SECONDS: config.jwt.clockToleranceSeconds,
    }[name];
    expect(read).toBe(expected);
  });

  it.each(['512b', '100kb', '1mb', '2MB', '64KB'])('BODY_LIMIT=%j is accepted', (limit) => {
    expect(loadConfig({ BODY_LIMIT: limit }).bodyLimit).toBe(limit);
  });

  it('accepts both postgres:// and postgresql:// URLs', () => {
    for (const url of [
      'postgres://localhost/db',
      'postgresql://u:p@host:5432/db?sslmode=require',
    ]) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it('does not echo a DATABASE_URL, which may hold a password', () => {
    const message = configError({ DATABASE_URL: 'mysql://admin:hunter2@db/enclave' });
    expect(message).not.toContain('hunter2');
    const unparsable = configError({ DATABASE_URL: 'postgres://admin:hunter2@[db/enclave' });
    expect(unparsable).toMatch(/DATABASE_URL/);
    expect(unparsable).not.toContain('hunter2');
  });

  it('reports every invalid variable at once', () => {
    const message = configError({ PORT: 'x', LOG_LEVEL: 'loud', BODY_LIMIT: 'big' });
    for (const name of ['PORT', 'LOG_LEVEL', 'BODY_LIMIT']) expect(message).toContain(name);
  });
});

describe('loadConfig: rate limits', () => {
  it('limits by default, in memory, loosely enough for 100 requests a second per user', () => {
    expect(loadConfig({}).rateLimit).toEqual({
      enabled: true,
      api: { burst: 300, perSecond: 100 },
      auth: { burst: 30, perSecond: 1 },
      redisUrl: undefined,
      keyPrefix: 'enclave:rl:',
    });
  });

  it('turns off with RATE_LIMIT=off, and takes empty variables as unset', () => {
    expect(loadConfig({ RATE_LIMIT: 'off' }).rateLimit.enabled).toBe(false);
    const empty = loadConfig({
      RATE_LIMIT: '',
      RATE_LIMIT_API_BURST: '',
      RATE_LIMIT_API_PER_SECOND: '',
      RATE_LIMIT_AUTH_BURST: '',
      RATE_LIMIT_AUTH_PER_SECOND: '',
      REDIS_URL: '',
    });
    expect(empty.rateLimit).toEqual(loadConfig({}).rateLimit);
  });

  it('accepts redis:// and rediss:// URLs', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://:secret@cache.example:6380/1']) {
      expect(loadConfig({ REDIS_URL: url }).rateLimit.redisUrl).toBe(url);
    }
  });

  it.each([
    ['RATE_LIMIT', 'yes'],
    ['RATE_LIMIT', 'OFF'],
    ['RATE_LIMIT_API_BURST', '0'],
    ['RATE_LIMIT_API_BURST', 'many'],
    ['RATE_LIMIT_API_PER_SECOND', '0'],
    ['RATE_LIMIT_API_PER_SECOND', '0.5'],
    ['RATE_LIMIT_AUTH_BURST', '-1'],
    ['RATE_LIMIT_AUTH_PER_SECOND', '1000001'],
    ['REDIS_URL', 'http://cache:6379'],
    ['REDIS_URL', 'cache:6379'],
    ['REDIS_URL', 'redis://[not-a-host'],
  ])('%s=%j is refused', (name, value) => {
    expect(configError({ [name]: value })).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('does not echo a REDIS_URL, which may hold a password', () => {
    for (const url of ['http://admin:hunter2@cache/0', 'redis://admin:hunter2@[cache/0']) {
      const message = configError({ REDIS_URL: url });
      expect(message).toMatch(/REDIS_URL/);
      expect(message).not.toContain('hunter2');
    }
  });
});

describe('loadConfig: HTTP timeouts', () => {
  it('defaults to 10 s for headers, 30 s for a request, 5 s for an idle keep-alive', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
    });
    expect(config.warnings.join()).not.toMatch(/HTTP_/);
  });

  it.each([
    ['HTTP_HEADERS_TIMEOUT_MS', 'headersTimeoutMs'],
    ['HTTP_REQUEST_TIMEOUT_MS', 'requestTimeoutMs'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', 'keepAliveTimeoutMs'],
  ] as const)('%s is read in milliseconds', (name, key) => {
    // Within every combination Node allows, whichever variable it is.
    expect(loadConfig({ [name]: '10000' }).http[key]).toBe(10_000);
  });

  it.each([
    ['HTTP_HEADERS_TIMEOUT_MS', '-1'],
    ['HTTP_HEADERS_TIMEOUT_MS', '10s'],
    ['HTTP_HEADERS_TIMEOUT_MS', '3600001'],
    ['HTTP_REQUEST_TIMEOUT_MS', '1.5'],
    ['HTTP_REQUEST_TIMEOUT_MS', 'never'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '5e3'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', ' '],
  ])('%s=%j is refused, naming the variable', (name, value) => {
    expect(configError({ [name]: value })).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('refuses headers allowed longer than the whole request, as Node would', () => {
    const message = configError({ HTTP_HEADERS_TIMEOUT_MS: '40000' });
    expect(message).toMatch(/HTTP_HEADERS_TIMEOUT_MS \(40000\)/);
    expect(message).toMatch(/HTTP_REQUEST_TIMEOUT_MS \(30000\)/);
    expect(() =>
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '30000' }),
    ).not.toThrow();
  });

  it('accepts 0 (no limit) on either side of that rule, with a warning', () => {
    const noRequestLimit = loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '60000',
      HTTP_REQUEST_TIMEOUT_MS: '0',
    });
    expect(noRequestLimit.http.requestTimeoutMs).toBe(0);
    expect(noRequestLimit.warnings.join()).toMatch(/HTTP_REQUEST_TIMEOUT_MS=0/);
    const noHeaderLimit = loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '0' });
    expect(noHeaderLimit.http.headersTimeoutMs).toBe(0);
    expect(noHeaderLimit.warnings.join()).toMatch(/HTTP_HEADERS_TIMEOUT_MS=0/);
    expect(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' }).warnings.join()).toMatch(
      /HTTP_KEEP_ALIVE_TIMEOUT_MS=0/,
    );
  });

  it('lets keep-alive outlast a load balancer, e.g. 65 s behind a 60 s idle timeout', () => {
    expect(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000' }).http.keepAliveTimeoutMs).toBe(
      65_000,
    );
  });
});

describe('loadConfig: CORS', () => {
  it('is off by default, and for an empty variable', () => {
    expect(loadConfig({}).cors).toEqual({ origins: [] });
    expect(loadConfig({ CORS_ORIGINS: '' }).cors).toEqual({ origins: [] });
    expect(loadConfig({ CORS_ORIGINS: ' , ' }).cors).toEqual({ origins: [] });
  });

  it('reads exact origins, comma-separated, as a browser sends them, once each', () => {
    const { cors } = loadConfig({
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173,HTTPS://App.Example.com/',
    });
    expect(cors).toEqual({ origins: ['https://app.example.com', 'http://localhost:5173'] });
  });

  it.each([
    ['*', 'no wildcards'],
    ['https://*.example.com', 'no wildcards'],
    ['https://app.example.com/app', 'no path'],
    ['https://app.example.com?x', 'no path'],
    ['app.example.com', 'scheme, host and port only'],
    ['null', 'scheme, host and port only'],
    ['file://', 'scheme, host and port only'],
  ])('refuses %j, naming the variable and the entry', (entry, why) => {
    const message = configError({ CORS_ORIGINS: `http://localhost:5173,${entry}` });
    expect(message).toMatch(/\bCORS_ORIGINS\b/);
    expect(message).toContain(JSON.stringify(entry));
    expect(message).toContain(why);
  });
});
