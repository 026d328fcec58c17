import { errorNames } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { Readiness } from './health.js';

describe('Readiness', () => {
  it('is not ready while starting or draining, whatever the database says', async () => {
    let checks = 0;
    const readiness = new Readiness({
      checkDatabase: () => {
        checks += 1;
        return Promise.resolve();
      },
    });
    expect(await readiness.verdict()).toEqual({
      ready: false,
      reason: 'Not ready: starting; the database is not reachable yet',
    });
    readiness.markReady();
    expect(await readiness.verdict()).toEqual({ ready: true });
    readiness.startDraining();
    readiness.markReady();
    expect(readiness.phase).toBe('draining');
    expect(await readiness.verdict()).toEqual({ ready: false, reason: 'Not ready: shutting down' });
    expect(checks).toBe(1);
  });

  it('is not ready when the check fails or does not answer in time', async () => {
    let clock = 0;
    const failing = new Readiness({
      checkDatabase: () => Promise.reject(new Error('down')),
      now: () => clock,
    });
    failing.markReady();
    expect(await failing.verdict()).toMatchObject({ ready: false, reason: /not answering/ });
    const hanging = new Readiness({
      checkDatabase: () => new Promise(() => undefined),
      timeoutMs: 20,
      now: () => (clock += 1_000),
    });
    hanging.markReady();
    expect(await hanging.verdict()).toMatchObject({ ready: false, reason: /not answering/ });
  });

  it('answers a flood of probes with one check, and checks again a moment later', async () => {
    let checks = 0;
    let clock = 0;
    const readiness = new Readiness({
      checkDatabase: () => {
        checks += 1;
        return Promise.resolve();
      },
      now: () => clock,
    });
    readiness.markReady();
    await Promise.all(Array.from({ length: 20 }, () => readiness.verdict()));
    expect(checks).toBe(1);
    await readiness.verdict();
    expect(checks).toBe(1);
    clock += 1_000;
    await readiness.verdict();
    expect(checks).toBe(2);
  });
});

describe('the probes over HTTP', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ready: false });
  });

  afterAll(async () => {
    await server.close();
  });

  it('while starting: /livez 200, /readyz 503, the API 503 with Retry-After, the docs served', async () => {
    const live = await server.fetch('/livez');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    const user = newUserId();
    const api = await server.clientFor(user).tasks.list({ params: { user_id: user } });
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('1');
    expect(api.body).toEqual({
      error: errorNames[503],
      message: 'The server is starting: its database is not ready yet; try again shortly',
      status_code: 503,
    });
    const login = await server.clientWithToken(undefined).auth.login({
      body: { email: 'ann@example.com', password: 'correct horse battery staple' },
    });
    expect(login.status).toBe(503);
    expect((await server.fetch('/openapi.json')).status).toBe(200);
  });

  it('once ready: /readyz 200 without a token; then draining: 503 again', async () => {
    server.readiness.markReady();
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
    const user = newUserId();
    expect((await server.clientFor(user).tasks.list({ params: { user_id: user } })).status).toBe(
      200,
    );
    server.readiness.startDraining();
    const draining = await server.fetch('/readyz');
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ message: 'Not ready: shutting down' });
    // Draining stops new traffic from arriving; what still arrives is served.
    expect((await server.clientFor(user).tasks.list({ params: { user_id: user } })).status).toBe(
      200,
    );
  });

  it('probes are logged at debug, not on every probe at info', async () => {
    const before = server.logs.length;
    await server.fetch('/livez');
    await server.fetch('/readyz');
    await server.fetch('/openapi.json');
    const urls = server.logs
      .slice(before)
      .map((line) => (line.req as { url?: string } | undefined)?.url);
    expect(urls).toEqual(['/openapi.json']);
  });
});
