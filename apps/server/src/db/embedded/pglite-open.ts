import { PGlite } from '@electric-sql/pglite';
import { initialiseDataDir, isInitialised, type InitdbOptions } from './pglite-initdb.js';

// PGlite's initdb sizes shared_buffers at PostgreSQL's 128 MB, and all of it is resident from
// the start: at 32 MB, a server settles ~120 MiB lower (measured: 366 -> 246 MiB after start).
// On a 127 MB table, lists, inserts and a full scan measured no slower, within the noise of a
// shared machine: the operating system's page cache serves what the smaller pool misses.
// Passed on the command line, it holds for folders made before this setting too; given to initdb
// as well, it lowers initdb's own peak and is written to the folder's postgresql.conf.
const SETTINGS = ['-c', 'shared_buffers=32MB'];

/** How every embedded instance is started, and how a new folder is initialised. */
export const PGLITE_OPTIONS = {
  startParams: [...PGlite.defaultStartParams, ...SETTINGS],
  initDbStartParams: SETTINGS,
} satisfies InitdbOptions;

/**
 * Opens the embedded database in `dataDir` (an existing folder), initialising the folder first
 * if it is new; undefined keeps the database in memory.
 */
export async function openPGlite(dataDir: string | undefined): Promise<PGlite> {
  if (dataDir !== undefined && !isInitialised(dataDir)) {
    await initialiseDataDir(dataDir, PGLITE_OPTIONS);
  }
  return PGlite.create(dataDir, PGLITE_OPTIONS);
}
