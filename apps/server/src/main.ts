// The server's entry point: the only module that starts anything.
import { createApp } from './app.js';
import { createTokenVerifier, type TokenVerifier } from './auth/token-verifier.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { createHttpServer } from './http/server.js';
import { createLogger } from './logger.js';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`enclave: ${error.message}\n`);
    process.exit(1);
  }
}

async function verifierOrExit(): Promise<TokenVerifier> {
  try {
    return await createTokenVerifier(config.jwt, logger);
  } catch (error) {
    // A provider key that cannot be read: its message says which setting, never the key.
    process.stderr.write(`enclave: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
for (const warning of config.warnings) logger.warn(warning);
const verifyToken = await verifierOrExit();
logger.info(
  {
    accounts: config.accounts.enabled ? 'on' : 'off',
    provider: config.jwt.provider?.kind ?? 'none',
    algorithms: config.jwt.algorithms,
  },
  'authentication ready',
);

const { db, description } = await openDatabase({
  url: config.databaseUrl,
  dataDir: config.dataDir,
  poolMax: config.poolMax,
});
const applied = await migrateToLatest(db);
logger.info({ database: description, migrations_applied: applied.length }, 'database ready');

const server = createHttpServer(createApp({ db, config, logger, verifyToken }), logger);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info(
    { url: `http://${config.host}:${port}`, docs: `http://${config.host}:${port}/docs` },
    'Enclave is listening',
  );
});

let stopping = false;
function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // Stop accepting, let in-flight requests finish, then release the database.
  server.close(() => {
    db.destroy().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while closing the database');
        process.exit(1);
      },
    );
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
