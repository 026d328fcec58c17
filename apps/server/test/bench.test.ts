// `npm run bench` (apps/server/bench/bench.mjs) is a report, not a timed test: this only shows
// that it runs end to end on the embedded database, reports every workload it was asked for, and
// leaves nothing behind (server stopped, temporary folder removed), also when interrupted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureServerBuilt } from './built-server.js';

const BENCH = fileURLToPath(new URL('../bench/bench.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'enclave-bench-test-'));
/** Benches still running (a test that failed or timed out): stopped as a user would, by SIGTERM. */
const running = new Set<Promise<unknown>>();
const stopping = new Set<() => void>();
afterAll(async () => {
  for (const stop of stopping) stop();
  await Promise.all(running);
  rmSync(scratch, { recursive: true, force: true });
});

interface Row {
  workload: string;
  rps: number;
  non2xx: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
  server_cpu_us_per_req: number | undefined;
}
interface Report {
  database: { kind: string; data_dir: string };
  server: { pid: number; exit: { code: number | null } };
  results: Row[];
}

/** Runs the bench with only TMPDIR set: no DATABASE_URL of the test run's reaches it. */
function bench(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [BENCH, ...args], {
    env: { TMPDIR: tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    onStderr?.(stderr, child);
  });
  const stop = () => child.kill('SIGTERM');
  stopping.add(stop);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      stopping.delete(stop);
      resolve({ code, stdout, stderr });
    }),
  );
  running.add(done);
  return done;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// About 10 to 15 s each (mostly the embedded database's first start); the limit is for a busy CI.

// It runs the build, as the npm script does.
ensureServerBuilt();

describe('npm run bench', { timeout: 60_000 }, () => {
  it('reports each workload against the built server on the embedded database', async () => {
    const json = join(scratch, 'results.json');
    const { code, stdout, stderr } = await bench([
      ...['--duration', '1', '--connections', '2', '--workloads', 'get,create', '--warmup', '0'],
      // A small seed keeps the test fast; the defaults (100 × 50) are the harness's.
      ...['--users', '10', '--tasks', '5', '--json', json],
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    expect(stdout).toContain('embedded PGlite');
    expect(stdout).toContain('RATE_LIMIT=off');
    expect(stdout).toContain(process.version);
    for (const workload of ['get', 'create']) {
      // workload, req/s, p50, p99, non-2xx, errors, server CPU µs/req, machine busy %, requests
      const row = new RegExp(
        `^${workload} +(\\d+) +[\\d.]+ +[\\d.]+ +(\\d+) +(\\d+)( +\\d+){3}$`,
        'm',
      );
      const [, rps, non2xx, errors] = row.exec(stdout) ?? [];
      expect(Number(rps), stdout).toBeGreaterThan(0);
      expect([non2xx, errors]).toEqual(['0', '0']);
    }
    expect(stderr).toMatch(/^get: 1\/1 s, \d+ req\/s/m); // the progress line

    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.database.kind).toBe('embedded');
    expect(report.results.map((row) => row.workload)).toEqual(['get', 'create']);
    for (const row of report.results) {
      expect(row.rps).toBeGreaterThan(0);
      expect(row.non2xx).toBe(0);
      expect(row.errors).toBe(0);
      expect(row.p99_ms).toBeGreaterThanOrEqual(row.p50_ms);
      if (process.platform === 'linux') expect(row.server_cpu_us_per_req).toBeGreaterThan(0);
    }
    expect(report.server.exit.code).toBe(0);
    expect(isRunning(report.server.pid)).toBe(false);
    expect(existsSync(report.database.data_dir)).toBe(false);
  });

  it('stops the server and removes its folder on Ctrl-C', async () => {
    let interrupted = false;
    const { code, stdout, stderr } = await bench(
      ['--duration', '60', '--workloads', 'get', '--warmup', '0', '--users', '2', '--tasks', '2'],
      (text, child) => {
        if (!interrupted && text.includes('get: 1/60 s')) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(interrupted, `${stdout}\n${stderr}`).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('the server has stopped');
    const pid = Number(/server pid (\d+)/.exec(stdout)?.[1]);
    const dataDir = /temporary folder, removed at the end \(([^)]+)\)/.exec(stdout)?.[1] ?? '';
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
    expect(dataDir).not.toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });
});
