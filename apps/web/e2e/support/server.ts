import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEARCH_PATH } from './environment';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
/** The built server, as `npm start` runs it; it serves the built app (apps/web/dist). */
const SERVER_ENTRY = join(ROOT, 'apps/server/dist/main.js');

/** Seconds an access token lives in these tests: the server's minimum, so one can expire. */
export const ACCESS_TOKEN_TTL_SECONDS = 60;

export interface RunningServer {
  baseUrl: string;
  stop: () => Promise<void>;
}

export interface ServerOptions {
  /** A PostgreSQL database; none: an embedded one in a folder of its own. */
  databaseUrl: string | undefined;
  /** Where the server sends its mail (support/mailbox.ts). */
  smtpUrl: string;
}

/**
 * Starts `node apps/server/dist/main.js` on a free port, on `databaseUrl` or else an embedded
 * database in a folder of its own, and resolves once `/readyz` says it is ready.
 */
export async function startServer({ databaseUrl, smtpUrl }: ServerOptions): Promise<RunningServer> {
  const dataDir = databaseUrl === undefined ? mkdtempSync(join(tmpdir(), 'enclave-e2e-')) : '';
  // The links in its mails name the app's address, so the port is chosen before it starts.
  const chosenPort = await freePort();
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: ROOT,
    env: {
      PATH: SEARCH_PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(chosenPort),
      APP_URL: `http://127.0.0.1:${chosenPort}`,
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'Enclave <no-reply@example.com>',
      LOG_LEVEL: 'info',
      REQUEST_LOG_LEVEL: 'silent',
      JWT_SECRET: randomBytes(48).toString('base64'),
      ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
      // Every test signs up from 127.0.0.1: per-address limits would count them all as one.
      RATE_LIMIT: 'off',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
      ...(databaseUrl === undefined ? { DATA_DIR: dataDir } : { DATABASE_URL: databaseUrl }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await listeningPort(child, () => output);
    const baseUrl = `http://127.0.0.1:${port}`;
    await untilReady(baseUrl, exited);
    return {
      baseUrl,
      stop: async () => {
        child.kill('SIGTERM');
        await Promise.race([exited, delay(10_000).then(() => child.kill('SIGKILL'))]);
        if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The port from the server's "Enclave is listening" log line. */
function listeningPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'Enclave is listening' && entry.url !== undefined) {
            resolve(Number(new URL(entry.url).port));
          }
        } catch {
          // Not a log line of the server's: ignore it.
        }
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`the server exited (${code}) before listening: ${stderr()}`)),
    );
  });
}

/** Waits until /readyz answers 200: the database is migrated and the API serves. */
async function untilReady(baseUrl: string, exited: Promise<void>): Promise<void> {
  let stopped = false;
  void exited.then(() => (stopped = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !stopped) {
    try {
      if ((await fetch(`${baseUrl}/readyz`)).status === 200) return;
    } catch {
      // Not answering yet.
    }
    await delay(100);
  }
  throw new Error(`the server at ${baseUrl} did not become ready`);
}

/** A port free now (the OS's choice); the server takes it moments later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
