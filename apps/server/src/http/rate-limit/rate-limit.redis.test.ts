import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../../test/harness.js';
import { startTcpProxy, type TcpProxy } from '../../../test/tcp-proxy.js';
import type { RateLimitConfig } from './rate-limits.js';

const givenRedisUrl = inject('redisUrl');
if (givenRedisUrl === null) throw new Error('*.redis.test.ts needs TEST_REDIS_URL');
const redisUrl: string = givenRedisUrl;

// Redis keeps its own time, which no test can stop: budgets refill so slowly (a token per
// 100 s) that however slow the machine, nothing comes back during a test.
const SLOW = { burst: 4, perSecond: 0.01 };
const UNAVAILABLE =
  'rate limiting unavailable: Redis does not answer; requests are let through unlimited';
const RESTORED = 'rate limiting restored: Redis answers again';

let base: TestServer;
let redis: Redis;
const prefixes: string[] = [];
const started: TestServer[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  base = await startTestServer();
  redis = new Redis(redisUrl);
});

afterAll(async () => {
  for (const server of started) await server.close();
  for (const proxy of proxies) await proxy.close();
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis?.quit();
  await base?.close();
});

/** A key prefix of the test's own, so runs sharing the Redis never meet. */
function newPrefix(): string {
  const prefix = `enclave-test:${randomUUID()}:`;
  prefixes.push(prefix);
  return prefix;
}

/** A server counting in Redis; unless `connected: false`, once its connection is made (the
 * first request may otherwise be let through while it is, on a busy machine). */
async function limitedServer(
  rateLimit: Partial<RateLimitConfig>,
  { connected = true } = {},
): Promise<TestServer> {
  const server = await startTestServer({ db: base.db, rateLimit: { api: SLOW, ...rateLimit } });
  started.push(server);
  if (connected) expect((await untilCounted(server, newUserId())).state).not.toBeNull();
  return server;
}

async function proxyToRedis(): Promise<{ proxy: TcpProxy; url: string }> {
  const { hostname, port } = new URL(redisUrl);
  const proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
  proxies.push(proxy);
  return { proxy, url: proxy.urlFor(redisUrl) };
}

/** A loopback port where nothing listens. */
async function deadPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}

/** GET /api/<user>/tasks as that user, timed. */
async function listTasks(server: TestServer, userId: string) {
  const startedAt = performance.now();
  const res = await server.fetch(`/api/${userId}/tasks`, {
    headers: { authorization: `Bearer ${server.tokenFor(userId)}` },
  });
  await res.arrayBuffer();
  return {
    status: res.status,
    state: res.headers.get('ratelimit'),
    ms: performance.now() - startedAt,
  };
}

/** The server's log lines with this message, from the `from`th line on. */
const linesSaying = (server: TestServer, msg: string, from = 0) =>
  server.logs.slice(from).filter((line) => line.msg === msg);

/** Requests until one is counted again (the client reconnects with a backoff of up to 2 s). */
async function untilCounted(server: TestServer, userId: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const reply = await listTasks(server, userId);
    if (reply.state !== null || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** While Redis cannot answer: every request goes on at once, uncounted, and nothing fails. */
async function expectLetThrough(server: TestServer, userId: string, logsFrom: number) {
  const sequential = [];
  for (let i = 0; i < SLOW.burst + 3; i += 1) sequential.push(await listTasks(server, userId));
  const concurrent = await Promise.all(Array.from({ length: 10 }, () => listTasks(server, userId)));
  for (const reply of [...sequential, ...concurrent]) {
    expect(reply.status).toBe(200);
    expect(reply.state).toBeNull();
    expect(reply.ms).toBeLessThan(1000);
  }
  expect(server.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
  expect(linesSaying(server, UNAVAILABLE, logsFrom)).toHaveLength(1);
}

describe('rate limits counted in Redis', () => {
  it('give several instances one budget per user', async () => {
    const keyPrefix = newPrefix();
    const one = await limitedServer({ redisUrl, keyPrefix });
    const two = await limitedServer({ redisUrl, keyPrefix });
    const user = newUserId();
    const replies = [];
    for (const server of [one, two, one, two, one, two]) {
      const { status, state } = await listTasks(server, user);
      replies.push([status, state?.replace(/;t=\d+$/, '')]);
    }
    expect(replies).toEqual([
      [200, '"api";r=3'],
      [200, '"api";r=2'],
      [200, '"api";r=1'],
      [200, '"api";r=0'],
      [429, '"api";r=0'],
      [429, '"api";r=0'],
    ]);
    expect((await listTasks(two, newUserId())).status).toBe(200);
  });

  it('let exactly `burst` of many concurrent requests through, across instances', async () => {
    const keyPrefix = newPrefix();
    const burst = 7;
    const one = await limitedServer({ redisUrl, keyPrefix, api: { burst, perSecond: 0.01 } });
    const two = await limitedServer({ redisUrl, keyPrefix, api: { burst, perSecond: 0.01 } });
    const user = newUserId();
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => listTasks(i % 2 === 0 ? one : two, user)),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(burst);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - burst);
  });

  it('keep a bucket under its prefix only until it would be full again', async () => {
    const keyPrefix = newPrefix();
    const server = await limitedServer({ redisUrl, keyPrefix, api: { burst: 4, perSecond: 2 } });
    const user = newUserId();
    await listTasks(server, user);
    // One token short of full refills in 500 ms.
    const ttl = await redis.pttl(`${keyPrefix}api:${user}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(500);
  });

  it('limit /auth per client address too', async () => {
    const keyPrefix = newPrefix();
    const server = await limitedServer({ redisUrl, keyPrefix, auth: SLOW });
    const login = () =>
      server.fetch('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    for (let i = 0; i < SLOW.burst; i += 1) expect((await login()).status).toBe(400);
    const refused = await login();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe('"auth";q=4;w=400');
    expect(await redis.exists(`${keyPrefix}auth:127.0.0.1`)).toBe(1);
  });
});

describe('when Redis cannot answer, requests go on', () => {
  it('when nothing listens at REDIS_URL: no wait, no 5xx, one warning, no credentials', async () => {
    const port = await deadPort();
    const server = await limitedServer(
      { redisUrl: `redis://enclave:pa55word-in-url@127.0.0.1:${port}`, keyPrefix: newPrefix() },
      { connected: false },
    );
    await expectLetThrough(server, newUserId(), 0);
    expect(linesSaying(server, UNAVAILABLE)[0]).toMatchObject({
      level: 40,
      redis: `127.0.0.1:${port}`,
    });
    expect(JSON.stringify(server.logs)).not.toContain('pa55word-in-url');
  });

  it('when Redis goes away mid-run, and counts again when it is back', async () => {
    const { proxy, url } = await proxyToRedis();
    const server = await limitedServer({ redisUrl: url, keyPrefix: newPrefix() });
    const user = newUserId();
    expect(await listTasks(server, user)).toMatchObject({ status: 200, state: '"api";r=3;t=100' });

    const logsFrom = server.logs.length;
    await proxy.refuse();
    proxy.cut();
    await expectLetThrough(server, user, logsFrom);

    await proxy.restore();
    const counted = await untilCounted(server, user);
    // The budget Redis kept is still there: one token was spent before the outage (and a
    // sliver has come back since, so `t` depends on how long this took).
    expect(counted.status).toBe(200);
    expect(counted.state).toMatch(/^"api";r=2;t=\d+$/);
    const restored = linesSaying(server, RESTORED, logsFrom);
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ level: 30, redis: `127.0.0.1:${proxy.port}` });
    expect(restored[0]?.requests_let_through).toBeGreaterThanOrEqual(SLOW.burst + 3 + 10);
    expect(restored[0]?.duration_ms).toEqual(expect.any(Number));

    for (let i = 0; i < 2; i += 1) expect((await listTasks(server, user)).status).toBe(200);
    const refused = await listTasks(server, user);
    expect(refused.status).toBe(429);
    expect(refused.state).toMatch(/^"api";r=0;t=\d+$/);
    expect(linesSaying(server, UNAVAILABLE, logsFrom)).toHaveLength(1);
  });

  it('when Redis hangs: each request waits a quarter second at most', async () => {
    const { proxy, url } = await proxyToRedis();
    const server = await limitedServer({ redisUrl: url, keyPrefix: newPrefix() });
    const user = newUserId();
    expect((await listTasks(server, user)).state).toBe('"api";r=3;t=100');

    const logsFrom = server.logs.length;
    proxy.freeze();
    await expectLetThrough(server, user, logsFrom);

    await proxy.restore();
    // Takes that were on their way when Redis hung may reach it now and count late (those
    // requests were served, after all), so this user's budget may be spent; counting is back.
    expect((await untilCounted(server, user)).state).not.toBeNull();
    expect(await listTasks(server, newUserId())).toMatchObject({
      status: 200,
      state: '"api";r=3;t=100',
    });
    expect(linesSaying(server, RESTORED, logsFrom)).toHaveLength(1);
    expect(linesSaying(server, UNAVAILABLE, logsFrom)).toHaveLength(1);
  });
});
