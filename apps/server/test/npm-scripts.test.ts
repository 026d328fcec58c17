// The root scripts a user runs, run by npm as a user runs them. `npm start`, stopped as a user
// stops it: `kill <npm's pid>`, or Ctrl-C in its terminal (SIGINT to the whole process group);
// the server must get the signal and drain. `npm run token`, from another folder. npm runs the
// real scripts from package.json, in a folder of their own whose bootstrap step does nothing:
// startServerProcess has made the build current, and a rebuild here would rewrite dist/
// under the other tests.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { processDatabaseEnv, removeDataFolders } from './process-database.js';
import { RawConnection } from './raw-http.js';
import { ROOT, startServerProcess, type ServerProcess } from './server-process.js';

const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: { start: string; token: string };
};
const folder = mkdtempSync(join(tmpdir(), 'enclave-npm-scripts-'));
writeFileSync(join(folder, 'package.json'), JSON.stringify({ private: true, scripts }));
mkdirSync(join(folder, 'scripts'));
writeFileSync(join(folder, 'scripts', 'bootstrap.mjs'), '// the build exists\n');
symlinkSync(join(ROOT, 'apps'), join(folder, 'apps'), 'dir');
/** Somewhere that is not the repository, as a user's second terminal may be. */
const elsewhere = mkdtempSync(join(tmpdir(), 'enclave-elsewhere-'));

/** What npm and its shell need: this run's node first (npm beside it, or the system's). */
const npmEnv = {
  PATH: [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter),
  HOME: folder,
  // No npm notices in the output.
  npm_config_update_notifier: 'false',
};
const JWT_SECRET = randomBytes(32).toString('hex');

const processes: ServerProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((server) => server.kill()));
});

afterAll(() => {
  removeDataFolders();
  for (const made of [folder, elsewhere]) rmSync(made, { recursive: true, force: true });
});

async function npmStart() {
  const server = startServerProcess(
    { ...processDatabaseEnv('npm-start'), ...npmEnv, JWT_SECRET },
    { command: 'npm', args: ['start'], cwd: folder, group: true },
  );
  processes.push(server);
  await server.waitForLog((line) => line.msg === 'database ready', 60_000);
  return server;
}

const messages = (server: ServerProcess) => server.logs.map((line) => line.msg);

describe('npm start', () => {
  it('runs the script in package.json, which hands the shell over to the server', () => {
    expect(scripts.start).toMatch(/&& exec node .*apps\/server\/dist\/main\.js$/);
  });

  it('kill <npm’s pid>: the server drains and stops, and stops serving', async () => {
    const server = await npmStart();
    const base = await server.baseUrl();
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.logs).toContainEqual(
      expect.objectContaining({ msg: 'shutting down', reason: 'SIGTERM' }),
    );
    expect(messages(server)).toContain('shutdown: every connection closed');
    await expect(fetch(`${base}/livez`)).rejects.toThrow();
  });

  it('Ctrl-C (SIGINT to the group, passed on by npm too): one graceful stop, not two', async () => {
    const server = await npmStart();
    const base = await server.baseUrl();
    const listening = await server.waitForLog((line) => line.msg === 'Enclave is listening');
    // A kept-alive connection makes the drain last a moment (see shutdown.ts).
    const connection = await RawConnection.open(base);
    await connection.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await connection.response()).status).toBe(200);
    process.kill(-server.pid, 'SIGINT');
    // npm passes it on too: the server sees it again, here made a moment later to be sure.
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(Number(listening.pid), 'SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(messages(server).filter((msg) => msg === 'shutting down')).toHaveLength(1);
    expect(messages(server)).toContain('shutdown: every connection closed');
    expect(messages(server)).not.toContain('shutdown: stopping at once');
    await expect(fetch(`${base}/livez`)).rejects.toThrow();
  });
});

describe('npm run token', () => {
  const token = (...args: string[]) =>
    spawnSync('npm', ['--prefix', folder, 'run', '-s', 'token', '--', ...args], {
      cwd: elsewhere,
      env: { ...npmEnv, JWT_SECRET, NODE_ENV: 'test' },
      encoding: 'utf8',
    });

  it('prints only a token, from any folder, with --prefix naming the repository', () => {
    const run = token('bob', '600');
    expect(run.status, run.stderr).toBe(0);
    const printed = run.stdout.trim();
    expect(jwt.verify(printed, JWT_SECRET)).toMatchObject({ sub: 'bob' });
    expect(run.stdout).toBe(`${printed}\n`);
  });

  it('fails loudly: a non-zero exit and a message on stderr, never an empty token', () => {
    for (const args of [[], ['bob', 'soon'], ['bob', '0']]) {
      const run = token(...args);
      expect(run.status, args.join(' ')).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/usage: token <user_id>/);
    }
    const misconfigured = spawnSync(
      'npm',
      ['--prefix', folder, 'run', '-s', 'token', '--', 'bob'],
      {
        cwd: elsewhere,
        env: { ...npmEnv, NODE_ENV: 'production' },
        encoding: 'utf8',
      },
    );
    expect(misconfigured.status).not.toBe(0);
    expect(misconfigured.stdout).toBe('');
    expect(misconfigured.stderr).toMatch(/^token: .*JWT_SECRET/m);
  });
});
