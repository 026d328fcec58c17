// What the bench scripts share: their arguments, the built server they start, the CPU time
// of a process, and the tables they print.
/* global fetch, URL -- Node's own */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(new URL('../package.json', import.meta.url));
const jwt = require('jsonwebtoken');

/** `--name value` pairs of the command line, as an object of strings. */
export function argsOf(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv
      .map((arg, i, all) => (arg.startsWith('--') ? [arg.slice(2), all[i + 1]] : undefined))
      .filter(Boolean),
  );
}

/**
 * Starts apps/server/dist/main.js in production mode on a random port, with a random JWT
 * secret, the user's environment (DATABASE_URL) and `env` on top; stopped when this process
 * exits. `token(sub)` signs a token it accepts; `ready()` waits for /readyz.
 */
export function startBuiltServer(env = {}) {
  const secret = randomBytes(32).toString('hex');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['dist/main.js'], {
    cwd: new URL('..', import.meta.url),
    env: {
      // eslint-disable-next-line no-restricted-syntax -- a bench started by hand passes its environment on
      ...process.env,
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      PORT: String(port),
      RATE_LIMIT: 'off',
      REQUEST_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () => server.kill('SIGTERM');
  process.on('exit', stop);
  return {
    base,
    pid: server.pid,
    stop,
    token: (sub) => jwt.sign({ sub }, secret, { algorithm: 'HS256', expiresIn: 3600 }),
    async ready() {
      for (let i = 0; i < 300; i += 1) {
        const answer = await fetch(`${base}/readyz`).catch(() => undefined);
        if (answer?.status === 200) return;
        await sleep(200);
      }
      throw new Error('the server did not become ready');
    },
  };
}

const clockTicks = () =>
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
let ticks;

/** A process's CPU time (user + system, all threads) in seconds from /proc; 0 once it is gone. */
export function cpuSecondsOf(pid) {
  ticks ??= clockTicks();
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return 0;
  }
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function table(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
