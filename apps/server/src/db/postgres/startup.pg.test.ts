// The real server process starting against a PostgreSQL that is not there yet, and two of them
// starting together on one empty database.
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import {
  startServerProcess,
  waitForStatus,
  type ServerProcess,
} from '../../../test/server-process.js';
import { startTcpProxy, type TcpProxy } from '../../../test/tcp-proxy.js';
import { migrationNames } from '../migrate.js';

const serverUrl = (() => {
  const url = inject('postgresServerUrl');
  if (url === null) throw new Error('*.pg.test.ts runs only against PostgreSQL');
  return url;
})();

const JWT_SECRET = randomBytes(32).toString('hex');
const databases: string[] = [];
const processes: ServerProcess[] = [];
const proxies: TcpProxy[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database (no tables, no migrations) and its URL. */
async function emptyDatabase(): Promise<string> {
  const name = `enclave_start_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  databases.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function start(databaseUrl: string): ServerProcess {
  const server = startServerProcess({ DATABASE_URL: databaseUrl, JWT_SECRET });
  processes.push(server);
  return server;
}

/** A server on a new, empty database it cannot reach yet: a proxy in front refuses. */
async function startBeforeTheDatabase() {
  const databaseUrl = await emptyDatabase();
  const target = new URL(databaseUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  proxies.push(proxy);
  await proxy.refuse();
  return { proxy, server: start(proxy.urlFor(databaseUrl)) };
}

const token = (user: string) => jwt.sign({ sub: user }, JWT_SECRET, { expiresIn: 300 });

afterEach(async () => {
  await Promise.all(processes.splice(0).map((server) => server.kill()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

afterAll(async () => {
  for (const name of databases) {
    await admin((client) => client.query(`drop database if exists ${name} with (force)`));
  }
});

describe('starting while PostgreSQL is down', () => {
  it('listens at once, answers 503 until the database is there, then serves', async () => {
    const { proxy, server } = await startBeforeTheDatabase();
    const base = await server.baseUrl();

    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status_code: 503, message: /starting/ });
    const api = await fetch(`${base}/api/ann/tasks`, {
      headers: { authorization: `Bearer ${token('ann')}` },
    });
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('1');
    // It keeps trying, with a growing wait, and says so.
    await server.waitForLog((line) => line.event === 'database_not_ready' && line.attempt === 2);
    const retry = server.logs.find((line) => line.event === 'database_not_ready');
    expect(retry).toMatchObject({ level: 40, reason: 'unreachable' });

    await proxy.restore();
    expect(await waitForStatus(`${base}/readyz`, 200, 20_000)).toBe(200);
    const created = await fetch(`${base}/api/ann/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('ann')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'after the database came' }),
    });
    expect(created.status).toBe(201);
    expect(server.logs.some((line) => line.msg === 'database ready')).toBe(true);
  });
});

describe('a shutdown while still waiting for the database', () => {
  it('stops waiting and exits 0 at once', async () => {
    const { server } = await startBeforeTheDatabase();
    await server.waitForLog((line) => line.event === 'database_not_ready');
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(3000);
  });
});

describe('a database that waiting cannot fix', () => {
  it('stops with exit code 1 and says why, rather than retrying for ever', async () => {
    // On PostgreSQL itself: PgBouncer before 1.20 reports a missing database as a failure to
    // connect (SQLSTATE 08P01), which a server rightly waits out (docs/scaling.md).
    const missing = new URL(inject('postgresDirectUrl') ?? serverUrl);
    missing.pathname = `/enclave_missing_${randomBytes(4).toString('hex')}`;
    // A server that trusts every connection takes any password: give one, to show it is never
    // logged. (A container's server checks it: there the real one must not be logged.)
    if (missing.password === '') missing.password = 'not-logged';
    const password = decodeURIComponent(missing.password);
    const server = start(missing.toString());
    expect(await server.exited).toEqual({ code: 1, signal: null });
    const fatal = server.logs.find((line) => line.level === 60);
    expect(fatal).toMatchObject({ msg: 'cannot prepare the database; stopping' });
    expect(JSON.stringify(fatal)).toMatch(/does not exist/);
    expect(JSON.stringify(server.logs)).not.toContain(password);
    expect(server.logs.some((line) => line.event === 'database_not_ready')).toBe(false);
  });
});

describe('two servers starting together on one empty database', () => {
  it('migrate it once between them, and both serve', async () => {
    const databaseUrl = await emptyDatabase();
    const servers = [start(databaseUrl), start(databaseUrl)];
    const readyLines = await Promise.all(
      servers.map((server) => server.waitForLog((line) => line.msg === 'database ready')),
    );
    const applied = readyLines.map((line) => Number(line.migrations_applied));
    expect(applied.reduce((sum, count) => sum + count, 0)).toBe((await migrationNames()).length);

    const target = new URL(databaseUrl);
    const names = await new Promise<string[]>((resolve, reject) => {
      const client = new pg.Client({ connectionString: target.toString() });
      client
        .connect()
        .then(() =>
          client.query<{ name: string }>('select name from kysely_migration order by name'),
        )
        .then((result) => resolve(result.rows.map((row) => row.name)), reject)
        .finally(() => void client.end());
    });
    expect(names).toEqual(await migrationNames());

    for (const server of servers) {
      const base = await server.baseUrl();
      const created = await fetch(`${base}/api/bob/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token('bob')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'from either server' }),
      });
      expect(created.status).toBe(201);
    }
  });
});

describe('the migration lock', () => {
  it('is held by the migration transaction, not by a session a pooler could leave it with', async () => {
    const databaseUrl = await emptyDatabase();
    // Kysely's own migration lock, a session lock, held by another session: as a transaction
    // pooler leaves it when Kysely's lock and unlock land on two server connections.
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock(3853314791062309107)');
      const server = start(databaseUrl);
      const ready = await server.waitForLog((line) => line.msg === 'database ready');
      expect(ready.migrations_applied).toBe((await migrationNames()).length);
    } finally {
      await holder.end();
    }
  });
});
