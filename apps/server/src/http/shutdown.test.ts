// SIGTERM sent to a real server process while kept-alive clients keep it busy.
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { keepAliveLoad } from '../../test/keep-alive-load.js';
import {
  processDatabaseEnv,
  readDatabaseOf,
  removeDataFolders,
} from '../../test/process-database.js';
import { RawConnection } from '../../test/raw-http.js';
import {
  ONE_USER_LOAD,
  startServerProcess,
  type ServerProcess,
} from '../../test/server-process.js';

const JWT_SECRET = randomBytes(32).toString('hex');
const processes: ServerProcess[] = [];
const databaseEnv = () => processDatabaseEnv('shutdown');

const storedTaskIds = (env: Record<string, string>, userId: string) =>
  readDatabaseOf(env, async (db) => {
    const rows = await db.selectFrom('tasks').select('id').where('user_id', '=', userId).execute();
    return new Set(rows.map((row) => row.id));
  });

async function startReady(env: Record<string, string>): Promise<ServerProcess> {
  // One user's load from 32 connections would meet the per-user rate limit and the user's
  // share of the database, which are not what this file is about.
  const server = startServerProcess({ JWT_SECRET, ...ONE_USER_LOAD, ...env });
  processes.push(server);
  await server.waitForLog((line) => line.msg === 'database ready', 60_000);
  return server;
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((server) => server.kill()));
});

afterAll(removeDataFolders);

describe('SIGTERM under load', () => {
  it('finishes every request, closes each kept-alive connection, loses nothing, exits 0', async () => {
    const env = { ...databaseEnv(), SHUTDOWN_TIMEOUT_MS: '10000' };
    const server = await startReady(env);
    const userId = `user-${randomBytes(6).toString('hex')}`;
    const stopLoad = new AbortController();
    const load = keepAliveLoad({
      baseUrl: await server.baseUrl(),
      connections: 32,
      token: jwt.sign({ sub: userId }, JWT_SECRET, { expiresIn: 300 }),
      userId,
      signal: stopLoad.signal,
    });
    // Every connection open and answered once, the load going for a while: then stop the
    // server while they are all busy.
    await load.everyConnectionAnswered;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const shutdownMs = performance.now() - signalled;
    stopLoad.abort();
    const report = await load.done;

    expect(report.networkErrors).toBe(0);
    const answered = Object.values(report.statuses).reduce((sum, count) => sum + count, 0);
    expect(answered).toBe(report.requests);
    expect(Object.keys(report.statuses).sort()).toEqual(['200', '201']);
    // Every connection was told to close rather than being dropped.
    expect(report.closedByServer).toBe(32);
    expect(report.requests).toBeGreaterThan(100);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(shutdownMs).toBeLessThan(10_000);

    // Every create the server acknowledged is there.
    const stored = await storedTaskIds(env, userId);
    expect(report.created.filter((id) => !stored.has(id))).toEqual([]);
    expect(server.logs.some((line) => line.msg === 'shutdown: every connection closed')).toBe(true);
  });

  it('with SHUTDOWN_DELAY_MS, fails readiness at once and keeps serving until the delay ends', async () => {
    const env = { ...databaseEnv(), SHUTDOWN_DELAY_MS: '1500', SHUTDOWN_TIMEOUT_MS: '10000' };
    const server = await startReady(env);
    const base = await server.baseUrl();
    const token = jwt.sign({ sub: 'ann' }, JWT_SECRET, { expiresIn: 300 });
    server.child.kill('SIGTERM');
    await server.waitForLog((line) => line.msg === 'shutting down');

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ message: 'Not ready: shutting down' });
    const during = await fetch(`${base}/api/ann/tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(during.status).toBe(200);
    expect(during.headers.get('connection')).not.toBe('close');

    expect(await server.exited).toEqual({ code: 0, signal: null });
    const after = fetch(`${base}/livez`);
    await expect(after).rejects.toThrow();
  });
});

describe('SIGTERM with an idle kept-alive connection', () => {
  it('closes it and exits promptly, not after the keep-alive timeout', async () => {
    const server = await startReady({ ...databaseEnv(), HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000' });
    const connection = await RawConnection.open(await server.baseUrl());
    await connection.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await connection.response();
    expect(answer.headers['keep-alive']).toBe('timeout=5');
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // It waited about 6 s for the keep-alive timeout before; generous for a busy machine.
    expect(performance.now() - signalled).toBeLessThan(3000);
    expect(await connection.closed(0)).toBe(true);
    expect(connection.reset).toBe(false);
    expect(server.logs.some((line) => line.msg === 'shutdown: every connection closed')).toBe(true);
  });
});

describe('a second signal', () => {
  it('a moment after the first is the same one; later, it stops at once', async () => {
    const server = await startReady({ ...databaseEnv(), SHUTDOWN_TIMEOUT_MS: '20000' });
    // A request that never completes (its body never comes) keeps the drain waiting.
    const connection = await RawConnection.open(await server.baseUrl());
    const token = jwt.sign({ sub: 'ann' }, JWT_SECRET, { expiresIn: 300 });
    await connection.write(
      `POST /api/ann/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    await server.waitForLog(
      (line) => line.msg === 'shutdown: no new connections; finishing requests in flight',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(server.logs.some((line) => line.msg === 'shutdown: stopping at once')).toBe(false);
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(performance.now() - signalled).toBeLessThan(3000);
    expect(server.logs.filter((line) => line.msg === 'shutting down')).toHaveLength(1);
    expect(server.logs.some((line) => line.msg === 'shutdown: stopping at once')).toBe(true);
    connection.destroy();
  });
});
