// Which outside services this test run has, decided once when vitest loads its config, so that
// test files needing a service the machine lacks are left out of the run (and named), never
// reported as skipped. Read by vitest.config.ts and global-setup.ts, both in vitest's main
// process; `process.env` carries the answer from one to the other.

import type { ContainerImages } from './containers.js';

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
  /** A Redis server URL given by the environment (TEST_REDIS_URL), if any. */
  redisUrl: string | undefined;
  /** Whether testcontainers reaches a Docker engine, so it can start what is not given. */
  docker: boolean;
  /** The images it starts them from. */
  images: ContainerImages;
}

const given = (value: string | undefined) =>
  value === undefined || value === '' ? undefined : value;

/** Why testcontainers cannot start containers here, or undefined when it can. */
async function dockerProblem(): Promise<string | undefined> {
  let runtimeClient: () => Promise<unknown>;
  try {
    ({ getContainerRuntimeClient: runtimeClient } = await import('testcontainers'));
  } catch (error) {
    // testcontainers 12 needs Node >= 22.19 (its undici); on Node 20 it does not load.
    return `testcontainers does not load on Node ${process.versions.node}: ${(error as Error).message}`;
  }
  try {
    const timeout = new Promise<never>((_resolve, reject) =>
      setTimeout(() => reject(new Error('no answer within 10 s')), 10_000).unref(),
    );
    await Promise.race([runtimeClient(), timeout]);
    return undefined;
  } catch (error) {
    return `no Docker engine answers: ${(error as Error).message}`;
  }
}

// The probe's answer, carried in the environment from vitest.config.ts to global-setup.ts (one
// process): '' when Docker answers, else why not.
const DOCKER_ANSWER = 'ENCLAVE_TEST_DOCKER';
const CONTAINER_MODES = ['auto', 'off', 'required'] as const;

/**
 * The services of this run: each one given by the environment, else started by testcontainers
 * when a Docker engine answers. TEST_CONTAINERS=off never asks Docker (a run on the embedded
 * database); TEST_CONTAINERS=required fails the run when Docker cannot be used, so a pass
 * meant to run in containers never quietly runs on something else. The probe runs once per
 * process.
 */
export async function testServices(env: NodeJS.ProcessEnv): Promise<TestServices> {
  const postgresUrl = given(env.TEST_DATABASE_URL) ?? given(env.DATABASE_URL);
  const redisUrl = given(env.TEST_REDIS_URL);
  const mode = given(env.TEST_CONTAINERS) ?? 'auto';
  if (!(CONTAINER_MODES as readonly string[]).includes(mode)) {
    throw new Error(`TEST_CONTAINERS must be one of ${CONTAINER_MODES.join(', ')}`);
  }
  const wanted = mode === 'required' || postgresUrl === undefined || redisUrl === undefined;
  let docker = false;
  if (mode !== 'off' && wanted) {
    env[DOCKER_ANSWER] ??= (await dockerProblem()) ?? '';
    docker = env[DOCKER_ANSWER] === '';
    if (mode === 'required' && !docker) {
      throw new Error(`TEST_CONTAINERS=required, but ${env[DOCKER_ANSWER]}`);
    }
  }
  const postgresDirectUrl =
    postgresUrl === undefined ? undefined : given(env.TEST_DATABASE_DIRECT_URL);
  const images = {
    postgres: given(env.TEST_POSTGRES_IMAGE) ?? 'postgres:15',
    redis: given(env.TEST_REDIS_IMAGE) ?? 'redis:7',
  };
  return { postgresUrl, postgresDirectUrl, redisUrl, docker, images };
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
      sources: [
        'apps/server/src/db/postgres/pg-pool.ts',
        'apps/server/src/db/postgres/pooled-timeouts.ts',
      ],
      reason: 'need a PostgreSQL server (set TEST_DATABASE_URL, or run a Docker engine)',
    });
  }
  if (services.redisUrl === undefined && !services.docker) {
    missing.push({
      glob: NEEDS_REDIS,
      sources: ['apps/server/src/http/rate-limit/redis-store.ts'],
      reason: 'need a Redis server (set TEST_REDIS_URL, or run a Docker engine)',
    });
  }
  return missing;
}
