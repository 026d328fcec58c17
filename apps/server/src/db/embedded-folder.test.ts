// Real server processes on one embedded data folder: the second is refused, and a folder left
// by a killed server opens again.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../test/server-process.js';

const JWT_SECRET = randomBytes(32).toString('hex');
const folder = mkdtempSync(join(tmpdir(), 'enclave-folder-'));
const dataDir = join(folder, 'data');
const processes: ServerProcess[] = [];
const token = jwt.sign({ sub: 'ann' }, JWT_SECRET, { expiresIn: 600 });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

function start(): ServerProcess {
  const server = startServerProcess({ JWT_SECRET, DATA_DIR: dataDir });
  processes.push(server);
  return server;
}

async function titles(server: ServerProcess): Promise<string[]> {
  const res = await fetch(`${await server.baseUrl()}/api/ann/tasks`, { headers });
  const body = (await res.json()) as { tasks: { title: string }[] };
  return body.tasks.map((task) => task.title);
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((server) => server.kill()));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('one server process per embedded data folder', () => {
  it('refuses a second process, naming the folder and the process that holds it', async () => {
    const first = start();
    await first.waitForLog((line) => line.msg === 'database ready', 60_000);
    const created = await fetch(`${await first.baseUrl()}/api/ann/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'written by the first' }),
    });
    expect(created.status).toBe(201);

    const second = start();
    expect(await second.exited).toEqual({ code: 75, signal: null });
    expect(second.stderr()).toContain(dataDir);
    expect(second.stderr()).toContain(`process ${first.pid}`);
    expect(second.logs.some((line) => line.msg === 'Enclave is listening')).toBe(false);
    // The first goes on undisturbed.
    expect(await titles(first)).toEqual(['written by the first']);
  });

  it('opens the folder again after its server was killed with SIGKILL, data intact', async () => {
    const killed = start();
    await killed.waitForLog((line) => line.msg === 'database ready', 60_000);
    await fetch(`${await killed.baseUrl()}/api/ann/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'written before the kill' }),
    });
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const next = start();
    await next.waitForLog((line) => line.msg === 'database ready', 60_000);
    const takeover = next.logs.find((line) => line.msg?.toString().startsWith('took over'));
    expect(takeover).toMatchObject({ previous: { pid: killed.pid, reason: 'exited' } });
    expect(await titles(next)).toEqual(['written before the kill', 'written by the first']);
  });
});
