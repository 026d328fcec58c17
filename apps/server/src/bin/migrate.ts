// Applies pending migrations to the configured database (PostgreSQL or embedded) and exits.
import { loadConfig } from '../config.js';
import {
  acquireDataDirLock,
  DataDirLockedError,
  type DataDirLock,
} from '../db/embedded/data-dir-lock.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

const config = loadConfig();

// The embedded database's folder takes one process at a time, and a running server is one.
function lockEmbeddedFolder(): DataDirLock | undefined {
  if (config.databaseUrl !== undefined || config.dataDir.startsWith('memory://')) return undefined;
  try {
    return acquireDataDirLock(config.dataDir);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    process.stderr.write(`enclave: ${error.message}\n`);
    process.exit(75); // EX_TEMPFAIL: try again once the folder is free
  }
}

const lock = lockEmbeddedFolder();
if (lock?.takenOverFrom) {
  const { pid, reason } = lock.takenOverFrom;
  process.stderr.write(
    `enclave: took over ${config.dataDir} from a process that is gone (pid ${pid ?? 'unknown'}, ${reason})\n`,
  );
}
try {
  const { db, description } = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: 1,
  });
  try {
    const results = await migrateToLatest(db);
    for (const result of results)
      process.stdout.write(`${result.status}: ${result.migrationName}\n`);
    process.stdout.write(
      `${description}: ${results.length} migration(s) applied; schema is current\n`,
    );
  } finally {
    await db.destroy();
  }
} finally {
  lock?.release();
}
