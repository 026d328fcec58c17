// Real server processes that must not start: the development secret on an address others can
// reach, whatever NODE_ENV says, and a production secret that is not random. Each exits before
// it listens, saying which variable to set.
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../test/server-process.js';

const processes: ServerProcess[] = [];

function start(env: Record<string, string>): ServerProcess {
  // Memory only: a refused start must not be what leaves a data folder behind.
  const server = startServerProcess({ DATA_DIR: 'memory://', ...env });
  processes.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((server) => server.kill()));
});

async function expectRefused(server: ServerProcess, message: RegExp) {
  expect(await server.exited).toEqual({ code: 1, signal: null });
  expect(server.stderr()).toMatch(message);
  expect(server.logs.some((line) => line.msg === 'Enclave is listening')).toBe(false);
}

describe('a server that would sign with the published development secret', () => {
  it.each([
    { HOST: '0.0.0.0', NODE_ENV: 'development' },
    { HOST: '0.0.0.0', NODE_ENV: 'test' },
    { HOST: '::', NODE_ENV: 'development' },
  ])('refuses to listen on an address others reach (%o)', async (env) => {
    await expectRefused(
      start(env),
      /JWT_SECRET is not set .*HOST=.* reachable from other machines/,
    );
  });

  it('refuses it named as a previous secret too', async () => {
    const server = start({
      HOST: '0.0.0.0',
      JWT_SECRET: 'a-development-secret-of-my-own',
      JWT_PREVIOUS_SECRETS: 'enclave-development-secret-not-for-production-use',
    });
    await expectRefused(server, /JWT_PREVIOUS_SECRETS holds the built-in development secret/);
  });
});

describe('a production server', () => {
  it('refuses a secret that is long enough but not random', async () => {
    const server = start({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    await expectRefused(server, /JWT_SECRET does not look random.*openssl rand -base64 48/);
    expect(server.stderr()).not.toContain('x'.repeat(32));
  });
});
