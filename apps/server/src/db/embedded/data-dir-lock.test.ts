import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newUserId } from '../../../test/harness.js';
import {
  acquireDataDirLock,
  DataDirLockedError,
  LOCK_FILE_NAME,
  type DataDirLock,
} from './data-dir-lock.js';
import { openDatabase } from '../database.js';
import { migrateToLatest } from '../migrate.js';
import { bootId, pidNamespace, processStartTicks, readProcess } from './process-identity.js';

const scratch: string[] = [];
const children: ChildProcess[] = [];
const locks: DataDirLock[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'enclave-lock-test-'));
  scratch.push(dir);
  return dir;
}

function acquire(dir: string, options?: Parameters<typeof acquireDataDirLock>[1]) {
  const lock = acquireDataDirLock(dir, options);
  locks.push(lock);
  return lock;
}

/** A lock file as a server with `pid` on this host would write it, with `overrides` applied. */
function writeLock(dir: string, pid: number, overrides: Record<string, unknown> = {}) {
  const record = {
    pid,
    host: hostname(),
    bootId: bootId(),
    pidNamespace: pidNamespace(),
    startTicks: processStartTicks(pid),
    since: '2026-01-02T03:04:05.000Z',
    nonce: 'theirs',
    ...overrides,
  };
  const file = path.join(dir, LOCK_FILE_NAME);
  writeFileSync(file, `${JSON.stringify(record)}\n`);
  return file;
}

function setAge(file: string, seconds: number) {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(file, then, then);
}

/** A real process that keeps running until killed. */
async function startIdleProcess(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  if (child.pid === undefined) throw new Error('child has no pid');
  return child as ChildProcess & { pid: number };
}

async function kill9(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited; // reaped by Node, so no zombie is left to look alive
}

function lockedError(fn: () => unknown): DataDirLockedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataDirLockedError) return error;
    throw error;
  }
  throw new Error('expected DataDirLockedError');
}

afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('acquireDataDirLock', () => {
  it('creates the folder if missing and a lock naming this process, which release removes', () => {
    const dir = path.join(tempDir(), 'nested', 'pglite');
    const lock = acquire(dir);
    expect(lock.path).toBe(path.join(dir, LOCK_FILE_NAME));
    expect(lock.takenOverFrom).toBeUndefined();
    const record = JSON.parse(readFileSync(lock.path, 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ pid: process.pid, host: hostname() });
    expect(record.startTicks).toBe(processStartTicks('self'));
    expect(new Date(record.since as string).getTime()).toBeGreaterThan(Date.now() - 60_000);

    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    lock.release(); // idempotent
  });

  it('refuses while the holder runs, naming the folder and its pid, and takes over after kill -9', async () => {
    const dir = tempDir();
    const holder = await startIdleProcess();
    const file = writeLock(dir, holder.pid);

    const error = lockedError(() => acquire(dir));
    expect(error.message).toBe(
      `The data folder ${dir} is in use by process ${holder.pid} on host ${hostname()} ` +
        '(since 2026-01-02T03:04:05.000Z); one server process per folder: stop it or set ' +
        'DATA_DIR to another folder',
    );
    expect(error.dataDir).toBe(dir);
    expect(error.holder).toMatchObject({ pid: holder.pid });
    expect(readFileSync(file, 'utf8')).toContain('"theirs"');

    await kill9(holder);
    const lock = acquire(dir);
    expect(lock.takenOverFrom).toMatchObject({ pid: holder.pid, reason: 'exited' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over from a lock whose pid now belongs to another process (pid reuse)', async () => {
    const dir = tempDir();
    const other = await startIdleProcess();
    const startTicks = processStartTicks(other.pid);
    expect(startTicks).toBeDefined();
    writeLock(dir, other.pid, { startTicks: (startTicks ?? 0) + 1 });

    const lock = acquire(dir);
    expect(lock.takenOverFrom).toMatchObject({ pid: other.pid, reason: 'pid reused' });
  });

  it('takes over from a holder that exited but was never reaped (a zombie)', async () => {
    const dir = tempDir();
    // The shell becomes `sleep 5`, which never reaps the short sleep it started.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    const pid = Number(
      await new Promise<string>((resolve) =>
        parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())),
      ),
    );
    writeLock(dir, pid, { startTicks: readProcess(pid)?.startTicks });
    expect(lockedError(() => acquire(dir)).holder).toMatchObject({ pid });

    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(acquire(dir).takenOverFrom).toMatchObject({ pid, reason: 'exited' });
  });

  it('goes by the refreshed mtime for a holder on another host', () => {
    const dir = tempDir();
    const file = writeLock(dir, 4242, { host: 'elsewhere', bootId: 'b', startTicks: 7 });

    const error = lockedError(() => acquire(dir));
    expect(error.message).toContain(
      `The data folder ${dir} is in use by process 4242 on host elsewhere`,
    );
    expect(error.message).toContain('refreshed 0 s ago');

    setAge(file, 31);
    const lock = acquire(dir);
    expect(lock.takenOverFrom).toMatchObject({
      pid: 4242,
      host: 'elsewhere',
      reason: 'not refreshed',
    });
  });

  it('treats an unreadable lock as held until it is as old as a stale one', () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK_FILE_NAME);
    writeFileSync(file, '{"pid": 12');

    expect(lockedError(() => acquire(dir)).message).toContain('cannot be read');
    setAge(file, 31);
    expect(acquire(dir).takenOverFrom).toMatchObject({ reason: 'unreadable' });
  });

  it('can be taken again after release, and not twice at once, even by one process', () => {
    const dir = tempDir();
    const first = acquire(dir);
    expect(lockedError(() => acquire(dir)).holder).toMatchObject({ pid: process.pid });
    first.release();

    const second = acquire(dir);
    expect(second.takenOverFrom).toBeUndefined();
    expect(existsSync(second.path)).toBe(true);
  });

  it("never removes someone else's lock on release", () => {
    const dir = tempDir();
    const lock = acquire(dir);
    // As if this process had been frozen long enough for another server to take over.
    writeLock(dir, 4242, { host: 'elsewhere' });
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toContain('"theirs"');
  });

  it('refreshes its mtime while held, and reports a lock that is no longer its own', async () => {
    const dir = tempDir();
    let lost = 0;
    const lock = acquire(dir, { refreshEveryMs: 20, onLost: () => (lost += 1) });
    setAge(lock.path, 25);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(Date.now() - statSync(lock.path).mtimeMs).toBeLessThan(5_000);

    writeLock(dir, 4242, { host: 'elsewhere' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(lost).toBe(1);
  });
});

// Real processes racing for one folder: the module is compiled to JavaScript for them.
describe('acquireDataDirLock across processes', () => {
  const runner = mkdtempSync(path.join(tmpdir(), 'enclave-lock-race-'));
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const name of ['data-dir-lock', 'exclusive-file', 'process-identity']) {
    const source = readFileSync(path.join(here, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(path.join(runner, `${name}.js`), outputText);
  }
  writeFileSync(path.join(runner, 'package.json'), '{"type":"module"}');
  // Lets the compiled module import zod as the server does.
  symlinkSync(path.resolve(here, '../../../node_modules'), path.join(runner, 'node_modules'));
  writeFileSync(
    path.join(runner, 'contender.js'),
    `import { acquireDataDirLock } from './data-dir-lock.js';
const [dir, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {} // start together
try {
  const lock = acquireDataDirLock(dir);
  console.log(JSON.stringify({ won: true, takenOverFrom: lock.takenOverFrom }));
  process.stdin.on('end', () => lock.release()).resume(); // hold until told
} catch (error) {
  console.log(JSON.stringify({ won: false, name: error.name, message: error.message }));
}
`,
  );

  afterAll(() => rmSync(runner, { recursive: true, force: true }));

  interface Outcome {
    won: boolean;
    name?: string;
    message?: string;
    takenOverFrom?: { pid: number };
  }

  async function race(dir: string, contenders: number): Promise<Outcome[]> {
    const startAt = Date.now() + 2_000;
    const racing = Array.from({ length: contenders }, () => {
      const child = spawn(process.execPath, ['contender.js', dir, String(startAt)], {
        cwd: runner,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      return new Promise<Outcome>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(JSON.parse(out) as Outcome);
        });
        child.once('exit', (code) => reject(new Error(`contender exited (${code}): ${out}`)));
      });
    });
    const outcomes = await Promise.all(racing);
    for (const child of children) child.stdin?.end();
    return outcomes;
  }

  it('lets exactly one of several servers starting at once have an empty folder', async () => {
    const dir = tempDir();
    const outcomes = await race(dir, 6);
    expect(outcomes.filter((o) => o.won)).toHaveLength(1);
    for (const lost of outcomes.filter((o) => !o.won)) {
      expect(lost.name).toBe('DataDirLockedError');
    }
  });

  it('lets exactly one of them take over a stale lock', async () => {
    const dir = tempDir();
    const gone = await startIdleProcess();
    writeLock(dir, gone.pid);
    await kill9(gone);

    const outcomes = await race(dir, 6);
    const winners = outcomes.filter((o) => o.won);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.takenOverFrom).toMatchObject({ pid: gone.pid });
    expect(outcomes.filter((o) => !o.won).map((o) => o.name)).toEqual(
      Array.from({ length: 5 }, () => 'DataDirLockedError'),
    );
  });
});

// A first start runs initdb (seconds, more on a busy machine).
describe('the lock file inside an embedded data folder', { timeout: 120_000 }, () => {
  it('lets the embedded database initialise the folder, reopen it and keep its data', async () => {
    const dir = path.join(tempDir(), 'pglite');
    mkdirSync(dir);
    const lock = acquire(dir);
    const owner = newUserId();

    const first = await openDatabase({ url: undefined, dataDir: dir, poolMax: 1 });
    await migrateToLatest(first.db);
    await first.db.insertInto('tasks').values({ user_id: owner, title: 'kept' }).execute();
    await first.db.destroy();

    const second = await openDatabase({ url: undefined, dataDir: dir, poolMax: 1 });
    try {
      const rows = await second.db
        .selectFrom('tasks')
        .select('title')
        .where('user_id', '=', owner)
        .execute();
      expect(rows).toEqual([{ title: 'kept' }]);
    } finally {
      await second.db.destroy();
    }
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
  });
});
