// The server's entry point: the only module that starts anything.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createApp } from './app.js';
import { tokenRevocations } from './auth/token-revocations.js';
import { ChangeHub } from './changes/change-hub.js';
import { changeNotifier, listenForChanges, pollForChanges } from './changes/change-wakeups.js';
import { scheduleChangesSweep } from './changes/changes-sweep.js';
import { createTokenVerifier, type TokenVerifier } from './auth/token-verifier.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { awaitDatabase } from './db/await-database.js';
import {
  acquireDataDirLock,
  DataDirLockedError,
  type DataDirLock,
} from './db/embedded/data-dir-lock.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import {
  keepFolderPrivate,
  makeFolderPrivate,
  PrivateFolderError,
} from './db/embedded/private-folder.js';
import { warnOnPooledTimeouts } from './db/postgres/pooled-timeouts.js';
import type { Db } from './db/schema.js';
import { Readiness } from './http/health.js';
import { createHttpServer } from './http/server.js';
import { createRateLimits } from './http/rate-limit/rate-limits.js';
import { HttpDrain } from './http/shutdown.js';
import { scheduleExpiredKeysSweep } from './idempotency/expired-keys-sweep.js';
import { createLogger } from './logger.js';
import { logDelivery, smtpDelivery, type Delivery } from './mail/delivery.js';
import { mailStartMessage } from './mail/mail-config.js';
import { createOutboxSender } from './mail/outbox-sender.js';

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
    return await createTokenVerifier(config.jwt, logger, config.tokenCache);
  } catch (error) {
    // A provider key that cannot be read: its message says which setting, never the key.
    process.stderr.write(`enclave: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

/** The embedded database's folder, held for this process alone (see data-dir-lock.ts). */
function dataDirLockOrExit(): DataDirLock | undefined {
  if (!embeddedOnDisk) return undefined;
  try {
    return acquireDataDirLock(config.dataDir, {
      onLost: () => {
        logger.fatal({ data_dir: config.dataDir }, 'the data folder lock is no longer ours');
        void stop('data folder lock lost', 1);
      },
    });
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    process.stderr.write(`enclave: ${error.message}\n`);
    process.exit(75); // EX_TEMPFAIL: the folder may be free later
  }
}

/** The embedded database's folder made its user's alone (see private-folder.ts). */
function privateDataDirOrExit(): void {
  if (!embeddedOnDisk) return;
  try {
    const closed = makeFolderPrivate(config.dataDir);
    if (closed > 0) {
      logger.warn(
        { data_dir: config.dataDir, entries: closed },
        'the data folder was open to other users; made it private (folders 0700, files 0600)',
      );
    }
  } catch (error) {
    if (!(error instanceof PrivateFolderError)) throw error;
    process.stderr.write(`enclave: the data folder cannot be made private: ${error.message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const embeddedOnDisk = config.databaseUrl === undefined && !config.dataDir.startsWith('memory://');
// Whatever this process creates (the data folder, its lock, the folders PGlite makes) is its
// user's alone; PGlite's files need more (private-folder.ts).
if (embeddedOnDisk) process.umask(0o077);
const logger = createLogger(config.logLevel);
for (const warning of config.warnings) logger.warn(warning);
const dataDirLock = dataDirLockOrExit();
privateDataDirOrExit();
if (dataDirLock?.takenOverFrom !== undefined) {
  logger.warn(
    { data_dir: config.dataDir, previous: dataDirLock.takenOverFrom },
    'took over the data folder from a server that is no longer running',
  );
}
// Whatever way the process ends, a lock it leaves must not be its own.
process.on('exit', () => dataDirLock?.release());
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
  timeouts: config.databaseTimeouts,
  preparedStatements: config.preparedStatements,
  transactionPooler: config.transactionPooler,
  logger,
});
const readiness = new Readiness({ checkDatabase: () => sql`select 1`.execute(db) });
const rateLimits = createRateLimits(config.rateLimit, logger);
logger.info({ rate_limit: rateLimits.description }, 'rate limiting ready');
const revocations = tokenRevocations(db, logger, { pollMs: config.revocationPollMs });
// Never the SMTP URL itself: it holds the password. Production without it says what is off.
logger[config.mail.delivery === 'off' ? 'warn' : 'info'](
  { mail: config.mail.delivery, smtp_host: config.mail.smtpHost, app_url: config.mail.appUrl },
  mailStartMessage(config.mail),
);
const mailDelivery: Delivery | undefined =
  config.mail.delivery === 'smtp' && config.mail.smtpUrl !== undefined
    ? smtpDelivery(config.mail.smtpUrl, config.mail.from)
    : config.mail.delivery === 'log'
      ? logDelivery(logger)
      : undefined;
const outbox =
  mailDelivery === undefined
    ? undefined
    : createOutboxSender({ db, delivery: mailDelivery, logger });
const changeHub = new ChangeHub(config.changes.streamsPerUser);
// Which instance sent a notification, so an instance does not wake its own streams twice.
const instance = randomUUID();
const { listenUrl } = config.changes;
const notifyChange = listenUrl === undefined ? undefined : changeNotifier(db, instance, logger);
const app = createApp({
  db,
  config,
  logger,
  verifyToken,
  readiness,
  revocations,
  rateLimits,
  wakeOutbox: () => outbox?.wake(),
  changeHub,
  ...(notifyChange === undefined ? {} : { notifyChange }),
});
const server = createHttpServer(app, logger, { ...config.http, bodyLimit: config.bodyLimit });
const drain = new HttpDrain(server, readiness, logger);
drain.onClosing(() => changeHub.endAll('shutdown'));
const stopListening =
  listenUrl === undefined
    ? async () => {}
    : listenForChanges(listenUrl, changeHub, logger, instance);
const stopPolling = pollForChanges(db, changeHub, config.changes.pollMs, logger);

// Listen at once, database or not: /livez answers, /readyz and the API say 503 until ready.
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info(
    {
      url: `http://${config.host}:${port}`,
      docs: `http://${config.host}:${port}/docs`,
      // The process to signal, when it was started by something else (npm start, a shell).
      pid: process.pid,
    },
    'Enclave is listening',
  );
});

/** Migrations on a connection of their own, free of statement_timeout: one may rightly run long. */
async function migrate(): Promise<number> {
  if (config.databaseUrl === undefined) return (await migrateToLatest(db)).length;
  const { db: migrating } = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: 1,
    timeouts: { ...config.databaseTimeouts, statementMs: 0 },
    // Migrations run each statement once.
    preparedStatements: false,
    transactionPooler: config.transactionPooler,
  });
  try {
    return (await migrateToLatest(migrating)).length;
  } finally {
    await migrating.destroy();
  }
}

const startup = new AbortController();
let stopSweeping = () => {};
let stopSweepingChanges = () => {};
let stopKeepingPrivate = () => {};
void awaitDatabase({ attempt: migrate, logger, signal: startup.signal }).then(
  async (applied) => {
    if (applied === undefined) return;
    if (embeddedOnDisk) {
      // initdb's and the migrations' files before anyone is told the database is ready, then
      // whatever the database makes later.
      try {
        makeFolderPrivate(config.dataDir);
      } catch (error) {
        logger.error({ err: error }, 'could not make the data folder private');
      }
      stopKeepingPrivate = keepFolderPrivate(config.dataDir);
    }
    // Every revocation known before the first request is served.
    try {
      await revocations.start();
    } catch (error) {
      logger.fatal({ err: error }, 'cannot read the token revocations; stopping');
      void stop('startup failure', 1);
      return;
    }
    readiness.markReady();
    logger.info({ database: description, migrations_applied: applied }, 'database ready');
    stopSweeping = scheduleExpiredKeysSweep(db, logger);
    // Mails left by a crash, or queued while the database was away, leave now.
    outbox?.start();
    const retentionSeconds = config.changes.retentionHours * 3600;
    stopSweepingChanges = scheduleChangesSweep(db, retentionSeconds, logger);
    if (config.transactionPooler) void warnOnPooledTimeouts(db, config.databaseTimeouts, logger);
  },
  (error: unknown) => {
    // Not an outage but a fault retrying cannot fix: a failing migration, a wrong password.
    logger.fatal({ err: error, database: description }, 'cannot prepare the database; stopping');
    void stop('startup failure', 1);
  },
);

/** Releases the database within `ms`, so a database that never answers cannot hold the exit. */
async function closeDatabase(handle: Db, ms: number): Promise<void> {
  const timer = new Promise<'late'>((resolve) => setTimeout(resolve, ms, 'late').unref());
  const outcome = await Promise.race([handle.destroy().then(() => 'closed' as const), timer]);
  if (outcome === 'late') logger.warn({ waited_ms: ms }, 'the database did not close in time');
}

let stopping = false;
async function stop(reason: string, exitCode = 0) {
  if (stopping) {
    // A second signal: the operator wants out now.
    logger.warn({ reason }, 'shutdown: stopping at once');
    server.closeAllConnections();
    process.exit(1);
  }
  stopping = true;
  startup.abort();
  logger.info({ reason }, 'shutting down');
  // A server stopping on a fault was never, or is no longer, fit to serve: no point lingering.
  const delayMs = exitCode === 0 ? config.shutdown.delayMs : 0;
  const outcome = await drain.drain({ ...config.shutdown, delayMs });
  if (outcome.clean) {
    logger.info({ duration_ms: outcome.durationMs }, 'shutdown: every connection closed');
  } else {
    logger.error(
      { duration_ms: outcome.durationMs, requests_cut: outcome.cut },
      'shutdown: deadline reached; remaining connections were cut',
    );
  }
  try {
    stopSweeping();
    stopSweepingChanges();
    stopPolling();
    stopKeepingPrivate();
    revocations.stop();
    // A mail being sent finishes (its row marked sent) before the database closes, within
    // moments: one left unmarked is sent again after its lease, never lost.
    const outboxStopped = new Promise((resolve) => setTimeout(resolve, 3_000).unref());
    await Promise.race([outbox?.stop(), outboxStopped]);
    await Promise.all([closeDatabase(db, 2_000), rateLimits.close(), stopListening()]);
  } catch (error) {
    logger.error({ err: error }, 'error while closing the database or Redis');
  }
  dataDirLock?.release();
  logger.flush();
  process.exit(outcome.clean ? exitCode : 1);
}
// `npm start` hands its signals on to the server (its script `exec`s it), and a terminal's
// Ctrl-C reaches npm and the server alike: one Ctrl-C arrives twice, moments apart. Only a
// signal that comes later is a second one, which stops at once.
const SAME_SIGNAL_MS = 500;
let firstSignalAt: number | undefined;
function onSignal(signal: NodeJS.Signals) {
  const now = Date.now();
  if (firstSignalAt !== undefined && now - firstSignalAt < SAME_SIGNAL_MS) return;
  firstSignalAt ??= now;
  void stop(signal);
}
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
