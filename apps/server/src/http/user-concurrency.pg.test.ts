// A fair share of the database, on a real server process with a small pool: one user floods
// it with searches no index serves, over 200,000 rows of their own, while another user goes
// about their business. Without a per-user cap the flood holds every connection and the other
// user's requests wait for one until they are answered 503.
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';

const serverUrl = (() => {
  const url = inject('postgresServerUrl');
  if (url === null) throw new Error('*.pg.test.ts runs only against PostgreSQL');
  return url;
})();

const JWT_SECRET = randomBytes(32).toString('hex');
const ROWS = 200_000;
const FLOOD_CLIENTS = 24;
const FLOOD_MS = 5000;
const name = `enclave_fair_${Date.now()}_${randomBytes(3).toString('hex')}`;
let server: ServerProcess | undefined;

async function onServer(statement: string, url = serverUrl): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await server?.kill();
  await onServer(`drop database if exists ${name} with (force)`);
});

/** Requests `next()` names, one after another, until the time is up; statuses counted. */
async function keepAsking(until: number, next: () => [string, RequestInit]) {
  const statuses: Record<number, number> = {};
  while (Date.now() < until) {
    const [url, init] = next();
    let status: number;
    try {
      const response = await fetch(url, init);
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 0;
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  return statuses;
}

function merge(counts: Record<number, number>[]) {
  const merged: Record<number, number> = {};
  for (const count of counts) {
    for (const [status, n] of Object.entries(count)) {
      merged[Number(status)] = (merged[Number(status)] ?? 0) + n;
    }
  }
  return merged;
}

it('one user flooding unindexed searches cannot make another user fail', async () => {
  await onServer(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  // Four connections: the default share of each user is then two.
  server = startServerProcess({
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: '4',
    JWT_SECRET,
    RATE_LIMIT: 'off',
  });
  await server.waitForLog((line) => line.msg === 'database ready', 60_000);
  const base = await server.baseUrl();
  const flooder = `user-${randomBytes(6).toString('hex')}`;
  const other = `user-${randomBytes(6).toString('hex')}`;
  await onServer(
    `insert into tasks (user_id, title, description) select '${flooder}', 'task ' || g, ` +
      `'a row of the flood, number ' || g from generate_series(1, ${ROWS}) g`,
    databaseUrl,
  );
  const auth = (user: string) => ({
    headers: { authorization: `Bearer ${jwt.sign({ sub: user }, JWT_SECRET, { expiresIn: 300 })}` },
  });
  const created = await fetch(`${base}/api/${other}/tasks`, {
    method: 'POST',
    headers: { ...auth(other).headers, 'content-type': 'application/json' },
    body: '{"title":"mine"}',
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: number };

  const until = Date.now() + FLOOD_MS;
  let search = 0;
  const flood = Array.from({ length: FLOOD_CLIENTS }, () =>
    keepAsking(until, () => [
      // Matches no row, so each one reads all 200,000.
      `${base}/api/${flooder}/tasks?q=${encodeURIComponent(`nothing-${(search += 1)}`)}`,
      auth(flooder),
    ]),
  );
  let turn = 0;
  const others = Array.from({ length: 2 }, () =>
    keepAsking(until, () => [
      (turn += 1) % 2 === 0 ? `${base}/api/${other}/tasks` : `${base}/api/${other}/tasks/${id}`,
      auth(other),
    ]),
  );
  const flooded = merge(await Promise.all(flood));
  const served = merge(await Promise.all(others));

  // The other user: every request answered 2xx, and enough of them to count.
  expect(Object.keys(served)).toEqual(['200']);
  expect(served[200]).toBeGreaterThanOrEqual(10);
  // The flooding user: searches run at their share, the rest told to wait (429); a search that
  // outruns SEARCH_TIMEOUT_MS is stopped (503). Never anything else, never a 500.
  expect(flooded[429]).toBeGreaterThan(0);
  expect(Object.keys(flooded).filter((status) => !['200', '429', '503'].includes(status))).toEqual(
    [],
  );
}, 120_000);
