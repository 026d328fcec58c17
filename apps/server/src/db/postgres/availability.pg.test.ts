// The server against a PostgreSQL that fails for real: a TCP proxy of the test's own sits
// between the server's pool and the database, and refuses, cuts or freezes connections.
import { errorNames } from '@enclave/contract';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../../test/harness.js';
import { startTcpProxy, type TcpProxy } from '../../../test/tcp-proxy.js';
import { createLogger } from '../../logger.js';
import { DatabaseUnavailableError } from './availability.js';
import { openDatabase } from '../database.js';
import type { Db } from '../schema.js';
import { DEFAULT_DATABASE_TIMEOUTS } from './timeouts.js';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) throw new Error('*.pg.test.ts runs only against PostgreSQL');

/** What the database layer logged (incidents), parsed. */
let dbLogs: Record<string, unknown>[];
let proxy: TcpProxy;
let db: Db;
let server: TestServer;
const user = newUserId();

beforeAll(async () => {
  const url = new URL(databaseUrl);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  dbLogs = [];
  const logger = createLogger('info', {
    write: (line: string) => void dbLogs.push(JSON.parse(line) as Record<string, unknown>),
  });
  ({ db } = await openDatabase({
    url: proxy.urlFor(databaseUrl),
    dataDir: '',
    poolMax: 4,
    timeouts: DEFAULT_DATABASE_TIMEOUTS,
    preparedStatements: inject('databasePrepared'),
    transactionPooler: inject('databasePooled'),
    logger,
  }));
  // Eight requests of one user at once, each to meet the database: a user's share of it
  // (which would keep some waiting, then refuse them 429) is not what this file is about.
  server = await startTestServer({ db, userConcurrency: { concurrency: 8 } });
});

afterEach(async () => {
  await proxy.restore();
});

afterAll(async () => {
  await server.close();
  await db.destroy();
  await proxy.close();
});

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

/** One request of each kind the API serves, timed. */
async function request(kind: 'list' | 'create' | 'get' = 'list'): Promise<Answer> {
  const started = performance.now();
  const headers = {
    authorization: `Bearer ${server.tokenFor(user)}`,
    'content-type': 'application/json',
  };
  const res =
    kind === 'create'
      ? await server.fetch(`/api/${user}/tasks`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ title: 'during an incident' }),
        })
      : await server.fetch(`/api/${user}/tasks${kind === 'get' ? '/1' : ''}`, { headers });
  const body = (await res.json()) as Record<string, unknown>;
  return {
    status: res.status,
    ms: performance.now() - started,
    retryAfter: res.headers.get('retry-after'),
    body,
  };
}

const events = (name: string) => dbLogs.filter((line) => line.event === name);

async function warmUp() {
  // Several requests at once, so the pool holds several connections that an incident can kill.
  const answers = await Promise.all(Array.from({ length: 8 }, () => request()));
  expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
}

function expectUnavailable(answer: Answer) {
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).toBe('1');
  expect(answer.body).toEqual({
    error: errorNames[503],
    message: 'The database is unavailable; try again shortly',
    status_code: 503,
  });
}

describe('PostgreSQL restarted while the pool holds connections', () => {
  it('keeps the process up and serves the next requests on new connections', async () => {
    await warmUp();
    proxy.cut();
    const answers = [];
    for (let i = 0; i < 10; i += 1) answers.push(await request(i % 2 === 0 ? 'list' : 'create'));
    expect(answers.map((answer) => answer.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 200 : 201)),
    );
  });
});

describe('PostgreSQL down (connections cut, new ones refused)', () => {
  it('answers 503 with Retry-After at once, logs the incident once, and recovers by itself', async () => {
    await warmUp();
    const incidentsBefore = events('database_unavailable').length;
    const recoveriesBefore = events('database_available').length;
    proxy.cut();
    await proxy.refuse();
    const answers: Answer[] = [];
    for (let i = 0; i < 12; i += 1) answers.push(await request(i % 3 === 0 ? 'create' : 'list'));
    answers.push(...(await Promise.all(Array.from({ length: 8 }, () => request()))));
    for (const answer of answers) {
      expectUnavailable(answer);
      expect(answer.ms).toBeLessThan(2000);
    }
    expect(events('database_unavailable').length - incidentsBefore).toBe(1);
    // The incident's line is the only warning: each refused request is an info access line.
    const refusedLines = server.logs.filter(
      (line) => (line.res as { status_code?: number } | undefined)?.status_code === 503,
    );
    expect(refusedLines.length).toBeGreaterThanOrEqual(answers.length);
    expect(refusedLines.filter((line) => Number(line.level) >= 40)).toEqual([]);

    await proxy.restore();
    const first = await request('create');
    expect(first.status).toBe(201);
    expect(events('database_available').length - recoveriesBefore).toBe(1);
    const recovery = events('database_available').at(-1);
    expect(recovery).toMatchObject({ reason: 'unreachable' });
    expect(recovery?.refused_requests).toBeGreaterThanOrEqual(answers.length - 1);
  });
});

describe('PostgreSQL frozen (connections open, nothing answers)', () => {
  it('answers 503 within 2 s instead of hanging, and recovers when it thaws', async () => {
    await warmUp();
    const incidentsBefore = events('database_unavailable').length;
    proxy.freeze();
    // Requests on connections already open, and ones that need a new connection, at once.
    const answers = await Promise.all(Array.from({ length: 8 }, () => request()));
    answers.push(await request('create'), await request('get'));
    for (const answer of answers) {
      expectUnavailable(answer);
      expect(answer.ms).toBeLessThan(2000);
    }
    expect(events('database_unavailable').length - incidentsBefore).toBe(1);
    expect(events('database_unavailable').at(-1)).toMatchObject({ reason: 'timeout' });

    await proxy.restore();
    expect((await request('create')).status).toBe(201);
  });
});

describe('timeouts that are not outages', () => {
  it('a statement over statement_timeout is a 503 for that request only, not an incident', async () => {
    const incidentsBefore = events('database_unavailable').length;
    const slow = sql`select pg_sleep(3)`.execute(db);
    await expect(slow).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(slow).rejects.toMatchObject({ reason: 'busy' });
    expect(events('database_unavailable').length).toBe(incidentsBefore);
    expect((await request()).status).toBe(200);
  });

  it('a pool with every connection busy answers 503 after the acquire timeout, not a hang', async () => {
    const { db: small } = await openDatabase({
      url: proxy.urlFor(databaseUrl),
      dataDir: '',
      poolMax: 1,
      timeouts: { ...DEFAULT_DATABASE_TIMEOUTS, acquireMs: 300 },
      preparedStatements: inject('databasePrepared'),
      transactionPooler: inject('databasePooled'),
    });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = small.connection().execute(async (connection) => {
        await sql`select 1`.execute(connection);
        await held;
      });
      const started = performance.now();
      await expect(sql`select 1`.execute(small)).rejects.toMatchObject({ reason: 'busy' });
      expect(performance.now() - started).toBeLessThan(1500);
      release();
      await holding;
      await expect(sql`select 1`.execute(small)).resolves.toBeDefined();
    } finally {
      await small.destroy();
    }
  });

  it("a database error that is not an outage keeps its cause (the HTTP layer's 500)", async () => {
    await expect(sql`select 1 / 0`.execute(db)).rejects.toMatchObject({ code: '22012' });
    await expect(sql`select 1 / 0`.execute(db)).rejects.not.toBeInstanceOf(
      DatabaseUnavailableError,
    );
  });
});

describe('readiness', () => {
  it('/readyz follows the database; /livez does not', async () => {
    expect((await server.fetch('/readyz')).status).toBe(200);
    proxy.cut();
    await proxy.refuse();
    // The last good check may answer for a moment; a down database is seen within a second.
    let ready = await server.fetch('/readyz');
    for (let i = 0; i < 20 && ready.status === 200; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await server.fetch('/readyz');
    }
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect(await ready.json()).toEqual({
      error: errorNames[503],
      message: 'Not ready: the database is not answering',
      status_code: 503,
    });
    const live = await server.fetch('/livez');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    await proxy.restore();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await server.fetch('/readyz')).status).toBe(200);
  });
});
