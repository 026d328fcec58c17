import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { describeUrl, openDatabase } from '../src/db/database.js';
import { DEFAULT_DATABASE_TIMEOUTS } from '../src/db/postgres/timeouts.js';
import { startRunContainers } from './containers.js';
import { writeEmbeddedSnapshot } from './embedded-snapshot.js';
import { prepareTestSchema } from './test-schema.js';
import { testServices, type TestServices } from './test-services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Whether servers under test name their statements (DATABASE_PREPARED, as in production). */
    databasePrepared: boolean;
    /** A migrated PostgreSQL database for this run, or null for the embedded database. */
    databaseUrl: string | null;
    /** The PostgreSQL server the run's database lives on (for tests that make databases of
     * their own), or null for the embedded database. */
    postgresServerUrl: string | null;
    /** That server without the connection pooler the run goes through, if any (for tests of
     * what only PostgreSQL itself does); postgresServerUrl when there is none. */
    postgresDirectUrl: string | null;
    /** Whether the run reaches PostgreSQL through a transaction pooler (TEST_DATABASE_DIRECT_URL
     * given): servers under test are then told so (DATABASE_POOLER=transaction). */
    databasePooled: boolean;
    /** The embedded runs' migrated database folder, as a tarball each test file starts from
     * (embedded-snapshot.ts); null on PostgreSQL. */
    embeddedSnapshot: string | null;
    /** A Redis server for the tests that need one (`*.redis.test.ts`), or null. */
    redisUrl: string | null;
  }
}

type Teardown = () => Promise<void>;

function announce(line: string) {
  process.stdout.write(`[tests] database: ${line}\n`);
}

async function migrate(url: string) {
  const { db } = await openDatabase({ url, dataDir: '', poolMax: 1 });
  try {
    await prepareTestSchema(db);
  } finally {
    await db.destroy();
  }
}

/**
 * A fresh database on the server `serverUrl` points at, dropped again after the run. Behind a
 * transaction pooler it is made on PostgreSQL itself (`directUrl`), with the timeouts the pool
 * would SET on its connections set on the database instead, as docs/scaling.md asks of a
 * pooled deployment: a SET reaches one server connection, these reach every one.
 */
async function freshDatabaseOn(
  serverUrl: string,
  directUrl: string | undefined,
): Promise<{ url: string; teardown: Teardown }> {
  const name = `enclave_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const adminUrl = directUrl ?? serverUrl;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    if (directUrl !== undefined) {
      const { statementMs, idleInTransactionMs } = DEFAULT_DATABASE_TIMEOUTS;
      await admin.query(`alter database ${name} set statement_timeout = ${statementMs}`);
      await admin.query(
        `alter database ${name} set idle_in_transaction_session_timeout = ${idleInTransactionMs}`,
      );
    }
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    teardown: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Says so when the server answering `url` listens on another port than the URL's: a pooler or
 * a proxy is in between, and tests of PostgreSQL itself need TEST_DATABASE_DIRECT_URL.
 */
async function noteAPoolerInBetween(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ port: number | null }>(
      'select inet_server_port() as port',
    );
    const port = rows[0]?.port;
    const given = Number(new URL(url).port || 5432);
    if (port !== null && port !== undefined && port !== given) {
      announce(
        `the server answering on port ${given} listens on ${port}: if a pooler (PgBouncer) is in between, set TEST_DATABASE_DIRECT_URL to PostgreSQL itself (docs/scaling.md)`,
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * Picks the tests' services. The database, in order: TEST_DATABASE_URL / DATABASE_URL (a fresh
 * database on that server), a PostgreSQL container when a Docker engine answers, else the
 * embedded database (each test file then gets its own in memory). Redis: TEST_REDIS_URL, else
 * a container when Docker answers, else none (its tests are left out). Prints what it used.
 */
export default async function setup(project: TestProject): Promise<Teardown | undefined> {
  const services = await testServices(process.env);
  const wanted = {
    postgres: services.docker && services.postgresUrl === undefined,
    redis: services.docker && services.redisUrl === undefined,
  };
  const containers =
    wanted.postgres || wanted.redis
      ? await startRunContainers(process.env, wanted, services.images)
      : undefined;
  const teardowns: Teardown[] = containers === undefined ? [] : [() => containers.stop()];
  const teardown = async () => {
    for (const step of teardowns.reverse()) await step();
  };
  try {
    provideRedis(project, services.redisUrl, containers?.redisUrl, services.images.redis);
    const database = await provideDatabase(project, services, containers?.postgresUrl);
    if (database !== undefined) teardowns.push(database);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

function provideRedis(
  project: TestProject,
  given: string | undefined,
  contained: string | undefined,
  image: string,
) {
  const url = given ?? contained ?? null;
  if (contained !== undefined) {
    process.stdout.write(`[tests] redis: ${image} in a testcontainers container (${contained})\n`);
  }
  project.provide('redisUrl', url);
}

async function provideDatabase(
  project: TestProject,
  services: TestServices,
  contained: string | undefined,
): Promise<Teardown | undefined> {
  project.provide('databasePooled', services.postgresDirectUrl !== undefined);
  // Off when the run goes through a pooler that cannot keep prepared statements (PgBouncer in
  // transaction mode before 1.21); server-process.ts hands it to the servers it starts.
  project.provide('databasePrepared', process.env.DATABASE_PREPARED !== 'off');
  const given = services.postgresUrl;
  if (given !== undefined) {
    const direct = services.postgresDirectUrl;
    const { url, teardown } = await freshDatabaseOn(given, direct);
    await migrate(url);
    announce(
      direct === undefined
        ? `PostgreSQL ${describeUrl(url)} (fresh database on the server of TEST_DATABASE_URL/DATABASE_URL)`
        : `PostgreSQL ${describeUrl(url)} through a pooler, made on PostgreSQL ${new URL(direct).host} itself (TEST_DATABASE_DIRECT_URL), with the pool's timeouts set on the database`,
    );
    if (direct === undefined) await noteAPoolerInBetween(url);
    project.provide('embeddedSnapshot', null);
    project.provide('databaseUrl', url);
    project.provide('postgresServerUrl', given);
    project.provide('postgresDirectUrl', direct ?? given);
    return teardown;
  }
  if (contained !== undefined) {
    await migrate(contained);
    announce(
      `PostgreSQL ${services.images.postgres} in a testcontainers container (${describeUrl(contained)})`,
    );
    project.provide('embeddedSnapshot', null);
    project.provide('databaseUrl', contained);
    project.provide('postgresServerUrl', contained);
    project.provide('postgresDirectUrl', contained);
    return undefined;
  }
  announce(
    'embedded PGlite, in memory, one per test file (no TEST_DATABASE_URL/DATABASE_URL and no Docker engine)',
  );
  const scratch = mkdtempSync(path.join(tmpdir(), 'enclave-embedded-'));
  const snapshot = path.join(scratch, 'migrated.tar');
  await writeEmbeddedSnapshot(snapshot);
  project.provide('embeddedSnapshot', snapshot);
  project.provide('databaseUrl', null);
  project.provide('postgresServerUrl', null);
  project.provide('postgresDirectUrl', null);
  return () => {
    rmSync(scratch, { recursive: true, force: true });
    return Promise.resolve();
  };
}
