// Applies pending migrations to the configured database (PostgreSQL or embedded) and exits.
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

const config = loadConfig();
const { db, description } = await openDatabase({
  url: config.databaseUrl,
  dataDir: config.dataDir,
  poolMax: 1,
});
try {
  const results = await migrateToLatest(db);
  for (const result of results) process.stdout.write(`${result.status}: ${result.migrationName}\n`);
  process.stdout.write(
    `${description}: ${results.length} migration(s) applied; schema is current\n`,
  );
} finally {
  await db.destroy();
}
