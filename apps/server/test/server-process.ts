import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { ensureServerBuilt } from './built-server.js';

/** The built server (global-setup.ts builds it when its sources are newer). */
// A file that starts the server as a process builds it when it loads, before its tests and
// their timeouts begin.
ensureServerBuilt();

export const SERVER_ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A real server process, as `npm start` runs it, for what only a process can show. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every JSON line the server logged so far. */
  readonly logs: Record<string, unknown>[];
  /** What it wrote to stderr (configuration and lock errors go there). */
  readonly stderr: () => string;
  /** Resolves with the port once the server logs that it listens. */
  readonly listening: Promise<number>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line matching, or rejects after `timeoutMs`. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  baseUrl(): Promise<string>;
  /** Stops the process if it still runs (SIGKILL), for test cleanup. */
  kill(): Promise<void>;
}

/**
 * The settings of a server one user loads from many connections at once, in a file that is
 * about something else: no rate limit, and every request waits its turn at the user's share of
 * the database rather than being refused 429.
 */
export const ONE_USER_LOAD = {
  RATE_LIMIT: 'off',
  DB_USER_QUEUE: '1000',
  DB_USER_QUEUE_WAIT_MS: '60000',
};

/** Another way to start the server than `node dist/main.js` (as `npm start`, say). */
export interface ServerCommand {
  command: string;
  args: string[];
  cwd: string;
  /** In a process group of its own, as a terminal runs it: `kill` ends the whole group. */
  group?: boolean;
}

/**
 * Starts `node dist/main.js` (or `how`) with `env` on top of a minimal environment (PORT=0,
 * NODE_ENV=test, LOG_LEVEL=info); nothing of the test runner's own environment leaks in.
 */
export function startServerProcess(
  env: Record<string, string>,
  how: ServerCommand = { command: process.execPath, args: [SERVER_ENTRY], cwd: ROOT },
): ServerProcess {
  const child = spawn(how.command, how.args, {
    cwd: how.cwd,
    detached: how.group ?? false,
    env: {
      PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      // As the run's own database handles are (global-setup.ts): off through a pooler that
      // cannot keep named prepared statements.
      DATABASE_PREPARED: inject('databasePrepared') ? 'on' : 'off',
      // And told so when the run goes through a transaction pooler.
      DATABASE_POOLER: inject('databasePooled') ? 'transaction' : 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ unparsed: line });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const waitForLog: ServerProcess['waitForLog'] = (match, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (hasExited) {
          done();
          reject(new Error(`server exited before the expected log line; stderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        const last = logs.slice(-5).map((line) => JSON.stringify(line));
        reject(
          new Error(
            `no such log line within ${timeoutMs} ms; last lines: ${last.join('\n')}; stderr: ${stderr}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const listening = waitForLog((line) => line.msg === 'Enclave is listening').then((line) =>
    Number(new URL(String(line.url)).port),
  );
  listening.catch(() => undefined);

  return {
    child,
    pid: child.pid ?? -1,
    logs,
    stderr: () => stderr,
    listening,
    exited,
    waitForLog,
    baseUrl: async () => `http://127.0.0.1:${await listening}`,
    kill: async () => {
      if (how.group === true) {
        // Whatever the group still holds (a server that outlived its npm, say).
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      } else if (!hasExited) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `url` until it answers `status` (or `timeoutMs` passes); returns the last status. */
export async function waitForStatus(url: string, status: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    try {
      last = (await fetch(url)).status;
      if (last === status) return last;
    } catch {
      last = -1;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}
