// Real server processes on one embedded data folder: the second is refused, a folder left by a
// killed server opens again, and the folder is its user's alone.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../../test/server-process.js';

const JWT_SECRET = randomBytes(32).toString('hex');
const folder = mkdtempSync(join(tmpdir(), 'enclave-folder-'));
const dataDir = join(folder, 'data');
const processes: ServerProcess[] = [];
const token = jwt.sign({ sub: 'ann' }, JWT_SECRET, { expiresIn: 600 });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

function start(folder = dataDir): ServerProcess {
  const server = startServerProcess({ JWT_SECRET, DATA_DIR: folder });
  processes.push(server);
  return server;
}

async function create(server: ServerProcess, title: string): Promise<Response> {
  return fetch(`${await server.baseUrl()}/api/ann/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title }),
  });
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
    const created = await create(first, 'written by the first');
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
    await create(killed, 'written before the kill');
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const next = start();
    await next.waitForLog((line) => line.msg === 'database ready', 60_000);
    const takeover = next.logs.find((line) => line.msg?.toString().startsWith('took over'));
    expect(takeover).toMatchObject({ previous: { pid: killed.pid, reason: 'exited' } });
    expect(await titles(next)).toEqual(['written before the kill', 'written by the first']);
  });
});

/** Every mode under `folder` (itself included), as 'd 700' or 'f 600', with how many have it. */
function modesUnder(folder: string): Record<string, number> {
  const modes: Record<string, number> = {};
  const count = (target: string) => {
    const stat = statSync(target);
    const key = `${stat.isDirectory() ? 'd' : 'f'} ${(stat.mode & 0o777).toString(8)}`;
    modes[key] = (modes[key] ?? 0) + 1;
  };
  count(folder);
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    count(join(entry.parentPath, entry.name));
  }
  return modes;
}

describe("the data folder is its user's alone", () => {
  it('is created 0700, with every folder in it 0700 and every file 0600', async () => {
    const fresh = join(folder, 'fresh');
    const server = start(fresh);
    await server.waitForLog((line) => line.msg === 'database ready', 60_000);
    const created = await create(server, 'private');
    expect(created.status).toBe(201);
    const modes = modesUnder(fresh);
    expect(Object.keys(modes).sort()).toEqual(['d 700', 'f 600']);
    expect(modes['f 600']).toBeGreaterThan(100); // the database's files, not only the lock
  });

  it('closes an open folder at start, and says so', async () => {
    const open = join(folder, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    writeFileSync(join(open, 'notes.txt'), 'left here by hand');
    chmodSync(join(open, 'notes.txt'), 0o666);
    const server = start(open);
    const warning = await server.waitForLog(
      (line) => line.msg?.toString().startsWith('the data folder was open') === true,
    );
    expect(warning).toMatchObject({ level: 40, data_dir: open, entries: 2 });
    await server.waitForLog((line) => line.msg === 'database ready', 60_000);
    expect(Object.keys(modesUnder(open)).sort()).toEqual(['d 700', 'f 600']);
  });
});
