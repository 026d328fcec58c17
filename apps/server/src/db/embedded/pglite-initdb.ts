import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGliteOptions } from '@electric-sql/pglite';

// PGlite initialises a new folder by running initdb in a second, scratch PGlite inside the same
// process, and V8 keeps that scratch instance (two WebAssembly heaps and a 128 MiB copy of one,
// ~400 MiB) until a major garbage collection, which nothing in a quiet server triggers: measured,
// ~800 MiB resident after a first start against ~370 after a later one. Run in a child process,
// initdb gives all of it back to the system when the child exits, and the server's first start
// settles where every later start does.
//
// The child initialises a scratch folder inside the data folder (same filesystem, so renames
// work), and its files are moved into place with PG_VERSION last: PGlite takes a folder holding
// PG_VERSION for a database, so a first start cut short at any point leaves a folder that the next
// start initialises again, never half a database.

/** The settings initdb and the instance it starts must share; they pass through JSON. */
export type InitdbOptions = Pick<PGliteOptions, 'startParams' | 'initDbStartParams'>;

const SCRATCH_PREFIX = '.initdb-';
const VERSION_FILE = 'PG_VERSION';

// CommonJS, so that the path of PGlite's entry point can be required as it is. The child also
// ends when the server that started it does (its stdin closes), rather than write on alone.
const CHILD_SCRIPT = `
process.stdin.on('end', () => process.exit(1)).resume();
const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2], JSON.parse(process.argv[3]))
  .then((pg) => pg.close())
  .then(() => process.exit(0), (error) => {
    process.stderr.write(String((error && error.stack) || error));
    process.exit(1);
  });
`;

/** Whether `dataDir` holds an initialised database, as PGlite decides it. */
export function isInitialised(dataDir: string): boolean {
  return existsSync(path.join(dataDir, VERSION_FILE));
}

/** Initialises the embedded database in `dataDir` (which exists) in a child process. */
export async function initialiseDataDir(dataDir: string, options: InitdbOptions): Promise<void> {
  removeScratchLeftovers(dataDir);
  const scratch = path.join(
    dataDir,
    `${SCRATCH_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await runInitdb(scratch, options);
    // Checked again: only a second server on this folder, which the data-folder lock keeps out,
    // could have initialised it meanwhile, and its database must not be overwritten.
    if (!isInitialised(dataDir)) moveIntoPlace(scratch, dataDir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function runInitdb(folder: string, options: InitdbOptions): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const child = spawn(
    process.execPath,
    ['-e', CHILD_SCRIPT, pglite, folder, JSON.stringify(options)],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(new Error(`initdb for the embedded database failed (${how}): ${stderr.trim()}`));
    });
  });
}

function moveIntoPlace(scratch: string, dataDir: string): void {
  const names = readdirSync(scratch).filter((name) => name !== VERSION_FILE);
  for (const name of [...names, VERSION_FILE]) {
    const target = path.join(dataDir, name);
    // Only an earlier first start cut short leaves these behind (PG_VERSION is absent), and a
    // directory cannot be renamed over a non-empty one.
    rmSync(target, { recursive: true, force: true });
    renameSync(path.join(scratch, name), target);
  }
}

function removeScratchLeftovers(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    try {
      rmSync(path.join(dataDir, name), { recursive: true, force: true });
    } catch {
      // A child of a server that died may still be writing there; the next start tries again.
    }
  }
}
