import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE_NAME } from '../db/embedded/data-dir-lock.js';
import { ensureServerBuilt } from '../../test/built-server.js';

/** The built command (global-setup.ts builds it when its sources are newer). */
const MIGRATE = fileURLToPath(new URL('../../dist/bin/migrate.js', import.meta.url));

const scratch: string[] = [];

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runMigrate(dataDir: string) {
  const child = spawn(process.execPath, [MIGRATE], {
    env: { NODE_ENV: 'test', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// A real process on a real folder; its first start runs initdb (seconds, more on a busy machine).

// It runs the build, as the npm script does.
ensureServerBuilt();

describe('db:migrate on an embedded data folder', { timeout: 120_000 }, () => {
  it('refuses while another process holds the folder, and migrates once it is free', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'enclave-migrate-test-')), 'data');
    scratch.push(path.dirname(dir));
    const lock = acquireDataDirLock(dir);

    const refused = await runMigrate(dir);
    expect(refused.code).toBe(75);
    expect(refused.stderr).toContain(
      `enclave: The data folder ${dir} is in use by process ${process.pid} on host`,
    );
    expect(readdirSync(dir)).toEqual([LOCK_FILE_NAME]);

    lock.release();
    const migrated = await runMigrate(dir);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(migrated.stdout).toContain(`embedded at ${dir}:`);
    expect(migrated.stdout).toMatch(/[1-9]\d* migration\(s\) applied/);
    expect(existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
  });
});
