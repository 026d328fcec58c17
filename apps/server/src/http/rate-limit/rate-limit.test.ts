import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../../test/harness.js';

// Time stands still unless a test moves it, so no assertion here depends on how fast the
// machine is.
let time = 0;
const clock = {
  now: () => time,
  advance: (ms: number) => {
    time += ms;
  },
};

const API = { burst: 3, perSecond: 1 };
const AUTH = { burst: 2, perSecond: 1 };

let server: TestServer;
let unlimited: TestServer;

beforeAll(async () => {
  // One trusted proxy: each test speaks from client addresses of its own (X-Forwarded-For).
  server = await startTestServer({
    trustProxy: 1,
    rateLimit: { api: API, auth: AUTH, now: clock.now },
  });
  unlimited = await startTestServer({ db: server.db, rateLimit: { enabled: false } });
});

afterAll(async () => {
  await unlimited?.close();
  await server?.close();
});

const newAddress = () => [10, ...randomBytes(3)].join('.');

function limitOf(res: Response) {
  return {
    status: res.status,
    policy: res.headers.get('ratelimit-policy'),
    state: res.headers.get('ratelimit'),
    retryAfter: res.headers.get('retry-after'),
  };
}

/** GET /api/<user>/tasks as that user. */
async function listTasks(userId: string, on: TestServer = server) {
  const res = await on.fetch(`/api/${userId}/tasks`, {
    headers: { authorization: `Bearer ${on.tokenFor(userId)}` },
  });
  await res.arrayBuffer();
  return limitOf(res);
}

/** An /auth request from `address`: a login whose body fails validation, so nothing is slow. */
async function authFrom(address: string, on: TestServer = server) {
  const res = await on.fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email: 'not an email' }),
  });
  return { ...limitOf(res), body: await res.json() };
}

describe('the per-user limit on /api', () => {
  it('gives a user `burst` requests, counting down, then 429 with Retry-After', async () => {
    const user = newUserId();
    const replies = [];
    for (let i = 0; i < API.burst + 1; i += 1) replies.push(await listTasks(user));
    expect(replies).toEqual([
      { status: 200, policy: '"api";q=3;w=3', state: '"api";r=2;t=1', retryAfter: null },
      { status: 200, policy: '"api";q=3;w=3', state: '"api";r=1;t=2', retryAfter: null },
      { status: 200, policy: '"api";q=3;w=3', state: '"api";r=0;t=3', retryAfter: null },
      { status: 429, policy: '"api";q=3;w=3', state: '"api";r=0;t=3', retryAfter: '1' },
    ]);
  });

  it('answers 429 in the error format, with a message of its own', async () => {
    const user = newUserId();
    const client = server.clientFor(user);
    for (let i = 0; i < API.burst; i += 1) {
      expect((await client.tasks.list({ params: { user_id: user } })).status).toBe(200);
    }
    const refused = await client.tasks.list({ params: { user_id: user } });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: 'Too Many Requests',
      message: 'Too many requests; try again in 1 second',
      status_code: 429,
    });
    expect(refused.headers.get('retry-after')).toBe('1');
  });

  it('leaves other users their own budget', async () => {
    const greedy = newUserId();
    for (let i = 0; i < API.burst + 2; i += 1) await listTasks(greedy);
    expect((await listTasks(greedy)).status).toBe(429);
    expect(await listTasks(newUserId())).toMatchObject({ status: 200, state: '"api";r=2;t=1' });
  });

  it('gives tokens back as time passes, one per 1/perSecond', async () => {
    const user = newUserId();
    for (let i = 0; i < API.burst; i += 1) await listTasks(user);
    expect((await listTasks(user)).status).toBe(429);
    clock.advance(999);
    expect((await listTasks(user)).status).toBe(429);
    clock.advance(1);
    expect(await listTasks(user)).toMatchObject({ status: 200, state: '"api";r=0;t=3' });
    clock.advance(3000);
    expect(await listTasks(user)).toMatchObject({ status: 200, state: '"api";r=2;t=1' });
  });

  it('stores nothing for a refused write', async () => {
    const user = newUserId();
    const client = server.clientFor(user);
    const params = { user_id: user };
    for (let i = 0; i < API.burst; i += 1) {
      const created = await client.tasks.create({ params, body: { title: `task ${i}` } });
      expect(created.status).toBe(201);
    }
    const refused = await client.tasks.create({ params, body: { title: 'one too many' } });
    expect(refused.status).toBe(429);
    const titles = await server.db
      .selectFrom('tasks')
      .select('title')
      .where('user_id', '=', user)
      .execute();
    expect(titles.map((row) => row.title).sort()).toEqual(['task 0', 'task 1', 'task 2']);
  });

  it('counts only authenticated requests: a refused token costs no one a token', async () => {
    const user = newUserId();
    for (let i = 0; i < API.burst + 2; i += 1) {
      const res = await server.fetch(`/api/${user}/tasks`, {
        headers: { authorization: 'Bearer not-a-token' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('ratelimit')).toBeNull();
    }
    // Another user's token on this user's path is a 403, before the limit too.
    const other = await server.fetch(`/api/${user}/tasks`, {
      headers: { authorization: `Bearer ${server.tokenFor(newUserId())}` },
    });
    expect(other.status).toBe(403);
    expect(await listTasks(user)).toMatchObject({ status: 200, state: '"api";r=2;t=1' });
  });
});

describe('the per-address limit on /auth', () => {
  it('counts every /auth request of one address, whatever it answers', async () => {
    const address = newAddress();
    const first = await authFrom(address);
    expect(first).toMatchObject({ status: 400, policy: '"auth";q=2;w=2', state: '"auth";r=1;t=1' });
    const me = await server.fetch('/auth/me', { headers: { 'x-forwarded-for': address } });
    expect(me.status).toBe(401);
    expect(me.headers.get('ratelimit')).toBe('"auth";r=0;t=2');
    const refused = await authFrom(address);
    expect(refused).toMatchObject({ status: 429, retryAfter: '1', state: '"auth";r=0;t=2' });
    expect(refused.body).toEqual({
      error: 'Too Many Requests',
      message: 'Too many requests; try again in 1 second',
      status_code: 429,
    });
  });

  it('gives each client address its own budget', async () => {
    const busy = newAddress();
    for (let i = 0; i < AUTH.burst; i += 1) await authFrom(busy);
    expect((await authFrom(busy)).status).toBe(429);
    expect(await authFrom(newAddress())).toMatchObject({ status: 400, state: '"auth";r=1;t=1' });
  });

  it('does not count /api requests against the address', async () => {
    const address = newAddress();
    const user = newUserId();
    for (let i = 0; i < 3; i += 1) {
      await server.fetch(`/api/${user}/tasks`, {
        headers: { authorization: `Bearer ${server.tokenFor(user)}`, 'x-forwarded-for': address },
      });
    }
    expect(await authFrom(address)).toMatchObject({ status: 400, state: '"auth";r=1;t=1' });
  });
});

describe('with rate limiting off', () => {
  it('neither counts nor sends a header', async () => {
    const user = newUserId();
    for (let i = 0; i < API.burst + 2; i += 1) {
      expect(await listTasks(user, unlimited)).toEqual({
        status: 200,
        policy: null,
        state: null,
        retryAfter: null,
      });
    }
    const address = newAddress();
    for (let i = 0; i < AUTH.burst + 2; i += 1) {
      expect(await authFrom(address, unlimited)).toMatchObject({ status: 400, state: null });
    }
  });
});

describe('the OpenAPI document', () => {
  it("documents every 429's Retry-After and RateLimit headers", async () => {
    const document = (await (await server.fetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    const tooMany = Object.values(document.paths)
      .flatMap((operations) => Object.values(operations))
      .map((operation) => operation.responses['429'])
      .filter((response) => response !== undefined);
    expect(tooMany.length).toBeGreaterThan(0);
    for (const response of tooMany) {
      expect(Object.keys(response.headers ?? {}).sort()).toEqual([
        'RateLimit',
        'RateLimit-Policy',
        'Retry-After',
      ]);
    }
  });
});
