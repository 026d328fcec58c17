import { createHmac, generateKeyPairSync } from 'node:crypto';
import { errorNames, type ErrorStatus } from '@enclave/contract';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { nodeHttp } from '../../test/node-http.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** An HS256 token over exactly this payload text, signed with the server's secret. */
function handSign(payloadJson: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(payloadJson)}`;
  return `${input}.${createHmac('sha256', server.jwt.secret!).update(input).digest('base64url')}`;
}

type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every route of the contract, with a body that would be valid were the caller allowed. */
const routes: { name: string; method: Verb; path: (user: string) => string; body?: object }[] = [
  { name: 'list', method: 'GET', path: (u) => `/api/${u}/tasks` },
  { name: 'create', method: 'POST', path: (u) => `/api/${u}/tasks`, body: { title: 'x' } },
  { name: 'get', method: 'GET', path: (u) => `/api/${u}/tasks/1` },
  {
    name: 'update',
    method: 'PUT',
    path: (u) => `/api/${u}/tasks/1`,
    body: { title: 'x', description: null, complete: true },
  },
  { name: 'patch', method: 'PATCH', path: (u) => `/api/${u}/tasks/1`, body: { complete: true } },
  { name: 'remove', method: 'DELETE', path: (u) => `/api/${u}/tasks/1` },
];

function send(
  method: Verb,
  path: string,
  authorization: string | undefined,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return server.fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * Reads an error response and checks the API's format; `secrets` must not appear anywhere in
 * the body or headers (a token echoed back would end up in client logs and caches).
 */
async function expectError(
  res: Response,
  status: ErrorStatus,
  secrets: string[] = [],
): Promise<{ message: string }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'message', 'status_code']);
  expect(body.error).toBe(errorNames[status]);
  expect(body.status_code).toBe(status);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  const headerText = [...res.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(headerText).not.toContain(secret);
  }
  return { message: body.message as string };
}

async function expectUnauthorized(res: Response, token?: string): Promise<string> {
  const challenge = res.headers.get('www-authenticate');
  const { message } = await expectError(res, 401, token === undefined ? [] : [token]);
  expect(challenge).toMatch(/^Bearer\b/);
  return message;
}

describe('requests without usable credentials', () => {
  it.each(routes)('$name without an Authorization header is 401', async (route) => {
    const user = newUserId();
    const res = await send(route.method, route.path(user), undefined, route.body);
    await expectUnauthorized(res);
    // No token at all is not an "invalid token" (RFC 6750 §3.1): the challenge has no error code.
    expect(res.headers.get('www-authenticate')).not.toMatch(/error=/);
  });

  it.each([
    ['Basic credentials', () => `Basic ${Buffer.from('u:p').toString('base64')}`],
    ['another scheme with a valid token', (t: string) => `Token ${t}`],
    ['"Bearer" alone', () => 'Bearer'],
    ['"Bearer " with only a space', () => 'Bearer '],
    ['"Bearer" glued to the token', (t: string) => `Bearer${t}`],
    ['the bare token', (t: string) => t],
    ['two tokens', (t: string) => `Bearer ${t} ${t}`],
    ['an empty header', () => ''],
  ])('%s is 401', async (_label, header) => {
    const user = newUserId();
    const token = server.tokenFor(user);
    const res = await send('GET', `/api/${user}/tasks`, header(token));
    await expectUnauthorized(res, token);
  });

  it('a token in the query string is not a credential', async () => {
    const user = newUserId();
    const token = server.tokenFor(user);
    const res = await server.fetch(`/api/${user}/tasks?access_token=${token}`);
    await expectUnauthorized(res, token);
  });

  it('authentication is checked before the body, so a bad body without a token is still 401', async () => {
    const user = newUserId();
    const res = await server.fetch(`/api/${user}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    await expectUnauthorized(res);
  });

  it('an unknown route under /api/{user_id} asks for credentials rather than revealing a 404', async () => {
    const res = await server.fetch(`/api/${newUserId()}/secrets`);
    await expectUnauthorized(res);
  });
});

describe('scheme and spacing', () => {
  it.each([
    ['Bearer', (t: string) => `Bearer ${t}`],
    ['lowercase bearer', (t: string) => `bearer ${t}`],
    ['uppercase BEARER', (t: string) => `BEARER ${t}`],
    ['several spaces', (t: string) => `Bearer   ${t}`],
    ['a trailing space', (t: string) => `Bearer ${t} `],
  ])('%s is accepted', async (_label, header) => {
    const user = newUserId();
    const res = await send('GET', `/api/${user}/tasks`, header(server.tokenFor(user)));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ tasks: [], count: 0, next_cursor: null });
  });
});

describe('invalid tokens over HTTP', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cases: [string, (user: string) => string][] = [
    [
      'signed with another secret',
      (u) => jwt.sign({ sub: u }, 'some-other-secret-that-is-long-enough', { expiresIn: 60 }),
    ],
    [
      'alg none with an empty signature',
      (u) =>
        `${base64url('{"alg":"none","typ":"JWT"}')}.${base64url(JSON.stringify({ sub: u, exp: now() + 60 }))}.`,
    ],
    ['HS512', (u) => server.tokenFor(u, {}, { algorithm: 'HS512' })],
    ['HS384', (u) => server.tokenFor(u, {}, { algorithm: 'HS384' })],
    ['RS256', (u) => jwt.sign({ sub: u }, privateKey, { algorithm: 'RS256', expiresIn: 60 })],
    ['expired', (u) => server.tokenFor(u, { exp: now() - 5 })],
    ['not yet valid', (u) => server.tokenFor(u, { nbf: now() + 60 })],
    ['without exp', (u) => handSign(JSON.stringify({ sub: u }))],
    ['without sub', () => handSign(JSON.stringify({ exp: now() + 60 }))],
    ['with a numeric sub', () => handSign(JSON.stringify({ sub: 42, exp: now() + 60 }))],
    ['with an object sub', (u) => handSign(JSON.stringify({ sub: { u }, exp: now() + 60 }))],
    ['with an empty sub', () => handSign(JSON.stringify({ sub: '', exp: now() + 60 }))],
    ['with NUL in sub', (u) => handSign(JSON.stringify({ sub: `${u}\u0000`, exp: now() + 60 }))],
    [
      'with a sub over 255 characters',
      () => handSign(JSON.stringify({ sub: 'u'.repeat(256), exp: now() + 60 })),
    ],
    ['over 8192 characters', (u) => server.tokenFor(u, { pad: 'x'.repeat(8200) })],
    ['whose payload is a JSON string', (u) => handSign(JSON.stringify(u))],
    [
      'with a tampered payload',
      (u) => {
        const [header, , signature] = server.tokenFor(newUserId()).split('.');
        return `${header}.${base64url(JSON.stringify({ sub: u, exp: now() + 60 }))}.${signature}`;
      },
    ],
    ['that is not a JWT', () => 'not-a-jwt'],
  ];

  it.each(cases)('a token %s is 401 with an invalid_token challenge', async (_label, make) => {
    const user = newUserId();
    const token = make(user);
    const res = await send('GET', `/api/${user}/tasks`, `Bearer ${token}`);
    await expectUnauthorized(res, token);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('a rejected token is not written to the log', async () => {
    const user = newUserId();
    const token = server.tokenFor(user, { exp: now() - 5 });
    await expectUnauthorized(await send('GET', `/api/${user}/tasks`, `Bearer ${token}`), token);
    const logged = JSON.stringify(server.logs);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(token.split('.')[2]);
  });

  it('a token of exactly 8192 characters is still accepted', async () => {
    const user = newUserId();
    let token = '';
    for (let pad = 0; pad < 8192 && token.length !== 8192; pad++) {
      token = handSign(JSON.stringify({ sub: user, exp: now() + 60, pad: 'x'.repeat(pad) }));
    }
    expect(token.length).toBe(8192);
    const res = await send('GET', `/api/${user}/tasks`, `Bearer ${token}`);
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe('issuer and audience over HTTP', () => {
  let strict: TestServer;

  beforeAll(async () => {
    strict = await startTestServer({
      db: server.db,
      jwt: { issuer: 'https://issuer.example', audience: 'enclave-api' },
    });
  });

  afterAll(async () => {
    await strict.close();
  });

  it('accepts a token with the configured issuer and audience', async () => {
    const user = newUserId();
    const { status } = await strict.clientFor(user).tasks.list({ params: { user_id: user } });
    expect(status).toBe(200);
  });

  it.each([
    ['a wrong issuer', { issuer: 'https://evil.example' }],
    ['a wrong audience', { audience: 'other-api' }],
  ])('refuses %s', async (_label, options) => {
    const user = newUserId();
    const token = strict.tokenFor(user, {}, options);
    const res = await strict.fetch(`/api/${user}/tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await expectUnauthorized(res, token);
  });

  it('refuses a token with no issuer or audience at all', async () => {
    const user = newUserId();
    const token = jwt.sign({ sub: user }, strict.jwt.secret!, { expiresIn: 60 });
    const res = await strict.fetch(`/api/${user}/tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await expectUnauthorized(res, token);
  });
});

describe("another user's resources", () => {
  it.each(routes)("$name with user A's token on user B's path is 403", async (route) => {
    const userA = newUserId();
    const userB = newUserId();
    const token = server.tokenFor(userA);
    const res = await send(route.method, route.path(userB), `Bearer ${token}`, route.body);
    await expectError(res, 403, [token]);
  });

  it("leaves B's task untouched after A tries every verb on it", async () => {
    const userA = newUserId();
    const userB = newUserId();
    const b = server.clientFor(userB);
    const created = await b.tasks.create({
      params: { user_id: userB },
      body: { title: "B's task", description: 'private' },
    });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const id = created.body.id;
    const tokenA = server.tokenFor(userA);

    const attempts = [
      send('GET', `/api/${userB}/tasks`, `Bearer ${tokenA}`),
      send('GET', `/api/${userB}/tasks/${id}`, `Bearer ${tokenA}`),
      send('PUT', `/api/${userB}/tasks/${id}`, `Bearer ${tokenA}`, {
        title: 'stolen',
        description: null,
        complete: true,
      }),
      send('PATCH', `/api/${userB}/tasks/${id}`, `Bearer ${tokenA}`, { title: 'stolen' }),
      send('DELETE', `/api/${userB}/tasks/${id}`, `Bearer ${tokenA}`),
      send('POST', `/api/${userB}/tasks`, `Bearer ${tokenA}`, { title: 'planted' }),
    ];
    for (const res of await Promise.all(attempts)) {
      const { message } = await expectError(res, 403, [tokenA]);
      // The refusal must not leak the victim's data.
      expect(message).not.toContain("B's task");
    }

    const after = await b.tasks.list({ params: { user_id: userB } });
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ tasks: [created.body], count: 1, next_cursor: null });
  });

  it("A's own path does not reach B's task either (404, not 403: no existence leak)", async () => {
    const userA = newUserId();
    const userB = newUserId();
    const created = await server.clientFor(userB).tasks.create({
      params: { user_id: userB },
      body: { title: 'hidden' },
    });
    if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
    const a = server.clientFor(userA);
    const res = await a.tasks.get({ params: { user_id: userA, id: created.body.id } });
    expect(res.status).toBe(404);
  });

  it('the path user id is compared exactly, not case-insensitively or trimmed', async () => {
    const user = `User-${newUserId()}`;
    const token = server.tokenFor(user);
    for (const path of [user.toLowerCase(), user.toUpperCase(), `${user}%20`]) {
      const res = await send('GET', `/api/${path}/tasks`, `Bearer ${token}`);
      await expectError(res, 403, [token]);
    }
    expect((await send('GET', `/api/${user}/tasks`, `Bearer ${token}`)).status).toBe(200);
  });

  it('a user id with reserved characters works when percent-encoded', async () => {
    const user = `${newUserId()} é/ü?#`;
    const token = server.tokenFor(user);
    const res = await send('GET', `/api/${encodeURIComponent(user)}/tasks`, `Bearer ${token}`);
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe('a header too large for Node', () => {
  /** Raw node:http, so a server closing the connection mid-request still yields its answer. */
  const rawGet = (path: string, headers: Record<string, string>) =>
    nodeHttp(`${server.baseUrl}${path}`, { headers });

  it('a 20 KB bearer token is 431 in the error format, without echoing the token', async () => {
    const user = newUserId();
    const token = server.tokenFor(user, { pad: 'x'.repeat(20_000) });
    expect(token.length).toBeGreaterThan(20_000);
    const res = await rawGet(`/api/${user}/tasks`, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      error: 'Request Header Fields Too Large',
      message: expect.any(String) as string,
      status_code: 431,
    });
    expect(res.body).not.toContain(token.slice(0, 100));
  });

  it('the same over fetch', async () => {
    const user = newUserId();
    const token = 'a'.repeat(20_000);
    const res = await send('GET', `/api/${user}/tasks`, `Bearer ${token}`);
    await expectError(res, 431, [token]);
  });

  it('the server keeps serving afterwards', async () => {
    const user = newUserId();
    await rawGet(`/api/${user}/tasks`, { authorization: `Bearer ${'a'.repeat(20_000)}` });
    const res = await server.clientFor(user).tasks.list({ params: { user_id: user } });
    expect(res.status).toBe(200);
  });
});
