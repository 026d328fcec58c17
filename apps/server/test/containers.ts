import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StartedTestContainer } from 'testcontainers';

// The run's PostgreSQL and Redis in containers, through testcontainers (loaded only here: it
// needs Node >= 22.19). Every container carries the run's label, and a detached reaper removes
// whatever still carries it when the run's process ends, so neither a failing nor an
// interrupted run leaves one behind (container-reaper.mjs); Ryuk, testcontainers' own reaper,
// is off unless asked for, as its image cannot be pulled where no registry is reachable.

/** The label on every container of a test run; its value is the run's id. */
export const RUN_LABEL = 'enclave.test-run';
const REAPER = fileURLToPath(new URL('./container-reaper.mjs', import.meta.url));

export interface ContainerImages {
  /** An image with the official postgres image's contract (TEST_POSTGRES_IMAGE). */
  postgres: string;
  /** An image run as the official redis image is (TEST_REDIS_IMAGE). */
  redis: string;
}

export interface RunContainers {
  /** A superuser's URL to the container's server, when PostgreSQL was asked for. */
  postgresUrl: string | undefined;
  redisUrl: string | undefined;
  /** Stops and removes every container of the run. */
  stop(): Promise<void>;
}

// Throwaway data: a tmpfs and no waiting for the disk make a 2-core machine's run faster, and
// nothing here outlives the run. (Passed as arguments, which the official image honours too.)
const THROWAWAY_POSTGRES = ['-c', 'fsync=off', '-c', 'synchronous_commit=off'];
const THROWAWAY_POSTGRES_DATA = { '/var/lib/postgresql/data': 'rw' };

function startReaper(runId: string): ChildProcess {
  const reaper = spawn(process.execPath, [REAPER, RUN_LABEL, runId], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the process nor the pipe may keep the run alive; the pipe closes when it ends.
  reaper.unref();
  (reaper.stdin as Socket | null)?.unref();
  return reaper;
}

/** What to say when an image cannot start: most often, here, one that would need a pull. */
function startFailure(image: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(
    `could not start ${image} (${reason}); without an image registry, build local images with ` +
      '`npm run images:local` and set TEST_POSTGRES_IMAGE / TEST_REDIS_IMAGE (docs/testing.md)',
  );
}

/** Starts the services asked for, in parallel, labelled with a new run id. */
export async function startRunContainers(
  env: NodeJS.ProcessEnv,
  wanted: { postgres: boolean; redis: boolean },
  images: ContainerImages,
): Promise<RunContainers> {
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const runId = `${Date.now()}-${randomBytes(4).toString('hex')}`;
  const reaper = startReaper(runId);
  const labels = { [RUN_LABEL]: runId };
  const started: StartedTestContainer[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((container) => container.stop({ removeVolumes: true })));
    reaper.stdin?.end(); // it looks once more, finds nothing, and exits
  };
  const keep = <T extends StartedTestContainer>(container: T) => {
    started.push(container);
    return container;
  };

  const postgres = wanted.postgres
    ? new PostgreSqlContainer(images.postgres)
        // Not the module's default, "test": a password a log could not hold by chance.
        .withPassword(randomBytes(12).toString('hex'))
        .withLabels(labels)
        .withTmpFs(THROWAWAY_POSTGRES_DATA)
        .withCommand(['postgres', ...THROWAWAY_POSTGRES])
        .start()
        .then(keep, (error: unknown) => Promise.reject(startFailure(images.postgres, error)))
    : undefined;
  const redis = wanted.redis
    ? new GenericContainer(images.redis)
        .withLabels(labels)
        .withExposedPorts(6379)
        .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
        .start()
        .then(keep, (error: unknown) => Promise.reject(startFailure(images.redis, error)))
    : undefined;
  try {
    const [pg, cache] = await Promise.all([postgres, redis]);
    return {
      postgresUrl: pg?.getConnectionUri(),
      redisUrl: cache && `redis://${cache.getHost()}:${cache.getMappedPort(6379)}`,
      stop,
    };
  } catch (error) {
    await Promise.allSettled([postgres, redis]);
    await stop();
    throw error;
  }
}
