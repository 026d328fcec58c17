// Which outside services this test run has, decided once when vitest loads its config, so that
// test files needing a service the machine lacks are left out of the run (and named), never
// reported as skipped. Read by vitest.config.ts and global-setup.ts, both in vitest's main
// process; `process.env` carries the answer from one to the other.

/** A test file that needs a PostgreSQL server (it cuts, freezes or creates databases). */
export const NEEDS_POSTGRES = '**/*.pg.test.ts';
/** A test file that needs a Redis server. */
export const NEEDS_REDIS = '**/*.redis.test.ts';

export interface TestServices {
  /** A PostgreSQL server URL given by the environment, if any. */
  postgresUrl: string | undefined;
  /** When `postgresUrl` is a connection pooler (PgBouncer), the PostgreSQL server behind it
   * (TEST_DATABASE_DIRECT_URL): databases are made there, and tests about PostgreSQL itself
   * reach it directly. */
  postgresDirectUrl: string | undefined;
  /** Whether a Docker engine answers, so testcontainers can start PostgreSQL. */
  docker: boolean;
  redisUrl: string | undefined;
}

const given = (value: string | undefined) =>
  value === undefined || value === '' ? undefined : value;

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_resolve, reject) =>
      setTimeout(() => reject(new Error('timeout')), 10_000).unref(),
    );
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return true;
  } catch {
    return false;
  }
}

const DOCKER_ANSWER = 'ENCLAVE_TEST_DOCKER';

/** The services of this run; the Docker probe runs once per process. */
export async function testServices(env: NodeJS.ProcessEnv): Promise<TestServices> {
  const postgresUrl = given(env.TEST_DATABASE_URL) ?? given(env.DATABASE_URL);
  let docker = false;
  if (postgresUrl === undefined) {
    if (env[DOCKER_ANSWER] === undefined) env[DOCKER_ANSWER] = (await dockerAnswers()) ? '1' : '0';
    docker = env[DOCKER_ANSWER] === '1';
  }
  const postgresDirectUrl =
    postgresUrl === undefined ? undefined : given(env.TEST_DATABASE_DIRECT_URL);
  return { postgresUrl, postgresDirectUrl, docker, redisUrl: given(env.TEST_REDIS_URL) };
}

/** What a run without one of the services cannot do. */
export interface MissingService {
  /** The test files that need it. */
  glob: string;
  /** Source files only those tests can exercise: left out of coverage in such a run (CI has
   * every service, so there they count). */
  sources: string[];
  reason: string;
}

/** What this run must leave out for want of a service, for vitest's config and its header. */
export function unavailableTests(services: TestServices): MissingService[] {
  const missing: MissingService[] = [];
  if (services.postgresUrl === undefined && !services.docker) {
    missing.push({
      glob: NEEDS_POSTGRES,
      sources: ['apps/server/src/db/pg-pool.ts', 'apps/server/src/db/pooled-timeouts.ts'],
      reason: 'need a PostgreSQL server (set TEST_DATABASE_URL, or run a Docker engine)',
    });
  }
  if (services.redisUrl === undefined) {
    missing.push({
      glob: NEEDS_REDIS,
      sources: ['apps/server/src/http/rate-limit/redis-store.ts'],
      reason: 'need a Redis server (set TEST_REDIS_URL)',
    });
  }
  return missing;
}
