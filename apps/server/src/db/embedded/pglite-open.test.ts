import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initialiseDataDir } from './pglite-initdb.js';
import { openPGlite } from './pglite-open.js';

const scratch: string[] = [];

function newFolder(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'enclave-pglite-test-'));
  scratch.push(root);
  const dir = path.join(root, 'data');
  mkdirSync(dir);
  return dir;
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Each first start runs initdb (seconds, more on a busy machine).
describe('openPGlite', { timeout: 120_000 }, () => {
  it('initialises a new folder, leaving no scratch behind, and reopens it with its data', async () => {
    const dir = newFolder();
    const first = await openPGlite(dir);
    await first.exec("create table kept (x text); insert into kept values ('yes')");
    await first.close();
    expect(readdirSync(dir)).toContain('PG_VERSION');
    expect(readdirSync(dir).filter((name) => name.startsWith('.initdb-'))).toEqual([]);

    const second = await openPGlite(dir);
    try {
      expect((await second.query('select x from kept')).rows).toEqual([{ x: 'yes' }]);
    } finally {
      await second.close();
    }
  });

  it('initialises again a folder whose first start was cut short', async () => {
    const dir = newFolder();
    // What an interrupted first start can leave: a child's scratch folder, part of the files.
    mkdirSync(path.join(dir, '.initdb-1-dead', 'base'), { recursive: true });
    mkdirSync(path.join(dir, 'base', '1'), { recursive: true });
    writeFileSync(path.join(dir, 'base', '1', 'junk'), 'x');
    writeFileSync(path.join(dir, 'enclave.lock'), 'not ours to touch');

    const db = await openPGlite(dir);
    try {
      expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
    const names = readdirSync(dir);
    expect(names.filter((name) => name.startsWith('.initdb-'))).toEqual([]);
    expect(names).toContain('enclave.lock');
    expect(readdirSync(path.join(dir, 'base', '1'))).not.toContain('junk');
  });

  it('runs with the smaller buffer pool, in memory as on disk', async () => {
    const db = await openPGlite(undefined);
    try {
      const { rows } = await db.query<{ shared_buffers: string }>('show shared_buffers');
      expect(rows).toEqual([{ shared_buffers: '32MB' }]);
    } finally {
      await db.close();
    }
  });

  it('reports a failing initdb with its own words, and leaves the folder uninitialised', async () => {
    const dir = newFolder();
    await expect(
      initialiseDataDir(dir, { initDbStartParams: ['--no-such-option'] }),
    ).rejects.toThrow(
      /^initdb for the embedded database failed \(exit code 1\): .*no-such-option/s,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});
