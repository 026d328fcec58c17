import { connect } from 'node:net';
import { errorNames, type ErrorStatus, type Task } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.js';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

// What a leaked database error or stack trace looks like in a body.
const LEAKS = [
  /\bselect\b/i,
  /\binsert\b/i,
  /\bfrom "?tasks"?/i,
  /\breturning\b/i,
  /at \//,
  /\n\s+at /,
  /node_modules/,
  /\.ts:\d+/,
  /\.js:\d+/,
];

interface ErrorExpectation {
  /** A detail whose `path` must be present, e.g. `path.id`. */
  detailPath?: string;
  message?: string | RegExp;
}

/** Checks status, the exact error format, and that nothing internal leaked into the body. */
async function expectError(
  res: Response,
  status: ErrorStatus,
  expectation: ErrorExpectation = {},
): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
  const body = JSON.parse(text) as Record<string, unknown>;
  const keys = Object.keys(body).sort();
  expect(keys.join(), 'error body keys').toMatch(/^(details,)?error,message,status_code$/);
  expect(body.error).toBe(errorNames[status]);
  expect(body.status_code).toBe(status);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  if (expectation.message !== undefined) expect(body.message).toMatch(expectation.message);
  if (body.details !== undefined) {
    expect(Array.isArray(body.details)).toBe(true);
    for (const detail of body.details as unknown[]) {
      expect(Object.keys(detail as object).sort()).toEqual(['message', 'path']);
      const { path, message } = detail as { path: unknown; message: unknown };
      expect(typeof path).toBe('string');
      expect(typeof message).toBe('string');
    }
  }
  if (expectation.detailPath !== undefined) {
    const paths = ((body.details ?? []) as { path: string }[]).map((detail) => detail.path);
    expect(paths).toContain(expectation.detailPath);
  }
  return body;
}

/**
 * Writes `request` verbatim on a fresh connection and reads until the server closes it: for
 * requests fetch will not send (no Content-Length, broken header lines).
 */
function rawExchange(
  port: number,
  request: string,
): Promise<{ status: number; head: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const split = data.indexOf('\r\n\r\n');
      const head = data.slice(0, split);
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
      const body = data.slice(split + 4);
      try {
        resolve({ status, head, body: JSON.parse(body) });
      } catch {
        resolve({ status, head, body });
      }
    });
  });
}

/** A user with one stored task, and helpers to act as them. */
async function userWithTask(on: TestServer = server) {
  const user = newUserId();
  const token = on.tokenFor(user);
  const client = on.clientFor(user);
  const created = await client.tasks.create({
    params: { user_id: user },
    body: { title: 'original', description: 'kept', complete: false },
  });
  if (created.status !== 201) throw new Error(`could not create a task: ${created.status}`);
  const task = created.body;
  const send = (method: string, path: string, init: RequestInit = {}) =>
    on.fetch(path, {
      ...init,
      method,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    });
  const json = (method: string, path: string, body: string) =>
    send(method, path, { body, headers: { 'content-type': 'application/json' } });
  /** Every task the user has, as stored; used to prove a refused write changed nothing. */
  const stored = async (): Promise<Task[]> => {
    const res = await client.tasks.list({ params: { user_id: user } });
    if (res.status !== 200) throw new Error(`could not list tasks: ${res.status}`);
    return res.body.tasks;
  };
  return {
    user,
    token,
    task,
    send,
    json,
    stored,
    collection: `/api/${user}/tasks`,
    item: `/api/${user}/tasks/${task.id}`,
  };
}

describe('malformed and unacceptable bodies', () => {
  const malformed = ['{', '{"title": "x",}', "{'title': 'x'}", '{"title": "x"} trailing', 'nul'];

  it.each(malformed)('POST %j is 400 and stores nothing', async (body) => {
    const u = await userWithTask();
    await expectError(await u.json('POST', u.collection, body), 400, { message: /JSON/ });
    expect(await u.stored()).toEqual([u.task]);
  });

  it.each(['PUT', 'PATCH'])('%s with malformed JSON is 400 and changes nothing', async (method) => {
    const u = await userWithTask();
    await expectError(await u.json(method, u.item, '{"title": '), 400, { message: /JSON/ });
    expect(await u.stored()).toEqual([u.task]);
  });

  it.each([
    ['text/plain', '{"title":"x"}'],
    ['application/x-www-form-urlencoded', 'title=x&complete=true'],
    [
      'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--b--',
    ],
    ['application/xml', '<task><title>x</title></task>'],
    ['application/jsonx', '{"title":"x"}'],
  ])('Content-Type %s is 400 on every write, changing nothing', async (type, body) => {
    const u = await userWithTask();
    for (const [method, path] of [
      ['POST', u.collection],
      ['PUT', u.item],
      ['PATCH', u.item],
    ] as const) {
      const res = await u.send(method, path, { body, headers: { 'content-type': type } });
      await expectError(res, 400, { message: /Content-Type|JSON/ });
    }
    expect(await u.stored()).toEqual([u.task]);
  });

  it('a JSON body with a charset parameter is fine', async () => {
    const u = await userWithTask();
    const res = await u.send('POST', u.collection, {
      body: '{"title":"with charset"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it('a charset other than utf-8 is 400', async () => {
    const u = await userWithTask();
    const res = await u.send('POST', u.collection, {
      body: '{"title":"x"}',
      headers: { 'content-type': 'application/json; charset=latin1' },
    });
    await expectError(res, 400);
    expect(await u.stored()).toEqual([u.task]);
  });

  it.each(['POST', 'PUT', 'PATCH'])('%s with no body at all is 400', async (method) => {
    const u = await userWithTask();
    const path = method === 'POST' ? u.collection : u.item;
    // fetch sends `Content-Length: 0`: the answer is about the missing body, not its type.
    await expectError(await u.send(method, path), 400, { message: /body is required/ });
    await expectError(
      await u.send(method, path, { headers: { 'content-type': 'application/json' } }),
      400,
    );
    expect(await u.stored()).toEqual([u.task]);
  });

  it('a POST with neither Content-Length nor a body is 400 about the missing body', async () => {
    const u = await userWithTask();
    const { port } = new URL(server.baseUrl);
    const raw = await rawExchange(
      Number(port),
      `POST ${u.collection} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${u.token}\r\n` +
        'Connection: close\r\n\r\n',
    );
    expect(raw.status).toBe(400);
    expect(raw.body).toEqual({
      error: 'Bad Request',
      message: 'A JSON request body is required',
      status_code: 400,
    });
    expect(await u.stored()).toEqual([u.task]);
  });

  it.each([
    ['an array', '[]'],
    ['an array of a task', '[{"title":"x"}]'],
    ['null', 'null'],
    ['a string', '"title"'],
    ['a number', '42'],
    ['true', 'true'],
  ])('a body that is %s is 400 on every write', async (_label, body) => {
    const u = await userWithTask();
    await expectError(await u.json('POST', u.collection, body), 400);
    await expectError(await u.json('PUT', u.item, body), 400);
    await expectError(await u.json('PATCH', u.item, body), 400);
    expect(await u.stored()).toEqual([u.task]);
  });

  it('__proto__ in a body is refused, not merged', async () => {
    const u = await userWithTask();
    const body = '{"title":"x","__proto__":{"complete":true}}';
    await expectError(await u.json('POST', u.collection, body), 400);
    await expectError(await u.json('PATCH', u.item, '{"__proto__":{"title":"p"}}'), 400);
    expect(await u.stored()).toEqual([u.task]);
    expect(({} as Record<string, unknown>).complete).toBeUndefined();
  });

  it('fields the client may not write (id, user_id, timestamps) are 400', async () => {
    const u = await userWithTask();
    const other = newUserId();
    for (const extra of [
      { id: 999 },
      { user_id: other },
      { created_at: '2000-01-01T00:00:00.000Z' },
    ]) {
      await expectError(
        await u.json('PATCH', u.item, JSON.stringify({ title: 'y', ...extra })),
        400,
      );
      await expectError(
        await u.json('POST', u.collection, JSON.stringify({ title: 'y', ...extra })),
        400,
      );
    }
    expect(await u.stored()).toEqual([u.task]);
  });
});

describe('NUL bytes', () => {
  it.each([
    ['POST', 'title', { title: 'a\u0000b' }],
    ['POST', 'description', { title: 'ok', description: '\u0000' }],
    ['PUT', 'title', { title: '\u0000', description: null, complete: false }],
    ['PUT', 'description', { title: 'ok', description: 'x\u0000', complete: false }],
    ['PATCH', 'title', { title: 'a\u0000' }],
    ['PATCH', 'description', { description: '\u0000\u0000' }],
  ] as const)(
    '%s with NUL in %s is 400 naming the field, and nothing is stored',
    async (method, field, body) => {
      const u = await userWithTask();
      const path = method === 'POST' ? u.collection : u.item;
      await expectError(await u.json(method, path, JSON.stringify(body)), 400, {
        detailPath: `body.${field}`,
      });
      expect(await u.stored()).toEqual([u.task]);
    },
  );

  it('a NUL in the path is not a 500', async () => {
    const u = await userWithTask();
    await expectError(await u.send('GET', `${u.collection}/1%00`), 400, {
      detailPath: 'path.id',
    });
    // The decoded path user ends in NUL, so it is simply not the token's user.
    await expectError(await u.send('GET', `/api/${u.user}%00/tasks`), 403);
  });
});

describe('body size', () => {
  let small: TestServer;

  beforeAll(async () => {
    small = await startTestServer({ db: server.db, bodyLimit: '1kb' });
  });

  afterAll(async () => {
    await small.close();
  });

  it.each(['POST', 'PUT', 'PATCH'])(
    '%s over a 1kb limit is 413 and changes nothing',
    async (method) => {
      const u = await userWithTask(small);
      const path = method === 'POST' ? u.collection : u.item;
      // Valid JSON, so only the size can be the reason.
      const body = JSON.stringify({
        title: 'big',
        description: 'd'.repeat(1000),
        complete: true,
      });
      expect(Buffer.byteLength(body)).toBeGreaterThan(1024);
      await expectError(await u.json(method, path, body), 413);
      expect(await u.stored()).toEqual([u.task]);
    },
  );

  it('a body just under the limit is accepted', async () => {
    const u = await userWithTask(small);
    const body = JSON.stringify({ title: 't'.repeat(200), description: 'd'.repeat(700) });
    expect(Buffer.byteLength(body)).toBeLessThan(1024);
    expect((await u.json('POST', u.collection, body)).status).toBe(201);
  });

  it('over 100kb is 413 with the default limit', async () => {
    const u = await userWithTask();
    const body = JSON.stringify({ title: 'x', description: 'd'.repeat(101 * 1024) });
    await expectError(await u.json('POST', u.collection, body), 413);
    expect(await u.stored()).toEqual([u.task]);
  });

  it('a chunked body over the limit is 413 too (no Content-Length to trust)', async () => {
    const u = await userWithTask(small);
    const chunk = new TextEncoder().encode(`{"title":"x","description":"${'d'.repeat(2000)}"}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await u.send('POST', u.collection, {
      body: stream,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    });
    await expectError(res, 413);
    expect(await u.stored()).toEqual([u.task]);
  });
});

describe('unknown routes and methods', () => {
  it.each(['/nope', '/', '/api', '/api/', '/tasks', '/nope?x=1'])('GET %s is 404', async (path) => {
    await expectError(await server.fetch(path), 404);
  });

  it.each(['/unknown', '/tasks/1/extra', '/tasks/1/2', '/task'])(
    'an authenticated GET of /api/{user}%s is 404',
    async (suffix) => {
      const u = await userWithTask();
      await expectError(await u.send('GET', `/api/${u.user}${suffix}`), 404);
    },
  );

  it.each(['POST', 'PUT', 'DELETE'])('%s on an unknown route is 404', async (method) => {
    const u = await userWithTask();
    const res = await u.send(method, `/api/${u.user}/unknown`, {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    await expectError(res, 404);
  });

  it.each(['PUT', 'PATCH', 'DELETE'])(
    '%s on the collection is 405 with an Allow header, changing nothing',
    async (method) => {
      const u = await userWithTask();
      const res = await u.json(method, u.collection, '{"title":"x"}');
      const allow = res.headers.get('allow');
      await expectError(res, 405);
      expect(allow?.split(/,\s*/).sort()).toEqual(['GET', 'HEAD', 'POST']);
      expect(await u.stored()).toEqual([u.task]);
    },
  );

  it('POST on an item is 405 with an Allow header, creating nothing', async () => {
    const u = await userWithTask();
    const res = await u.json('POST', u.item, '{"title":"x"}');
    const allow = res.headers.get('allow');
    await expectError(res, 405);
    expect(allow?.split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT']);
    expect(await u.stored()).toEqual([u.task]);
  });

  it('405 is decided after authentication: without a token it is 401', async () => {
    const res = await server.fetch(`/api/${newUserId()}/tasks`, { method: 'PUT' });
    await expectError(res, 401);
  });

  it('HEAD on a GET route answers without a body', async () => {
    const u = await userWithTask();
    const res = await u.send('HEAD', u.collection);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('path ids', () => {
  const bad = [
    'abc',
    '-1',
    '0',
    '00',
    '01',
    '1.5',
    '1.0',
    '1e3',
    '0x10',
    '+1',
    '%201',
    '1%20',
    '1_000',
    'Infinity',
    'NaN',
    '99999999999999999999',
    '9223372036854775808',
    '9007199254740992',
    '%EF%BC%91', // FULLWIDTH DIGIT ONE
  ];

  it.each(bad)('%s is 400 naming path.id on every item route', async (id) => {
    const u = await userWithTask();
    const path = `${u.collection}/${id}`;
    await expectError(await u.send('GET', path), 400, { detailPath: 'path.id' });
    await expectError(await u.send('DELETE', path), 400, { detailPath: 'path.id' });
    await expectError(
      await u.json('PUT', path, '{"title":"x","description":null,"complete":true}'),
      400,
      { detailPath: 'path.id' },
    );
    await expectError(await u.json('PATCH', path, '{"complete":true}'), 400, {
      detailPath: 'path.id',
    });
    expect(await u.stored()).toEqual([u.task]);
  });

  // 2147483648 and 4294967296 would overflow a 32-bit column: a 500 there means the wrong type.
  it.each(['9007199254740991', '2147483648', '4294967296'])(
    'the well-formed id %s of no task is 404, not 400 or 500',
    async (id) => {
      const u = await userWithTask();
      await expectError(await u.send('GET', `${u.collection}/${id}`), 404);
      await expectError(await u.json('PATCH', `${u.collection}/${id}`, '{"complete":true}'), 404);
      await expectError(await u.send('DELETE', `${u.collection}/${id}`), 404);
    },
  );

  it('a bad id and a bad body are reported together', async () => {
    const u = await userWithTask();
    const body = await expectError(
      await u.json('PATCH', `${u.collection}/abc`, '{"title":5}'),
      400,
      {
        detailPath: 'path.id',
      },
    );
    const paths = (body.details as { path: string }[]).map((detail) => detail.path);
    expect(paths).toContain('body.title');
  });
});

describe('undecodable URLs', () => {
  it.each(['/api/%E0%A4%A/tasks', '/api/%/tasks', '/api/%ZZ/tasks', '/api/%C0%AF/tasks'])(
    '%s is 400 in the error format',
    async (path) => {
      await expectError(await server.fetch(path), 400);
    },
  );

  it('an undecodable id is 400 too', async () => {
    const u = await userWithTask();
    await expectError(await u.send('GET', `${u.collection}/%E0%A4%A`), 400);
  });

  it('a malformed HTTP request still gets an answer in the error format', async () => {
    const { port } = new URL(server.baseUrl);
    const raw = await rawExchange(
      Number(port),
      'GET / HTTP/1.1\r\nHost: x\r\nBroken Header Line\r\n\r\n',
    );
    expect(raw.status).toBe(400);
    expect(raw.head).toMatch(/content-type: application\/json/i);
    expect(raw.body).toEqual({
      error: 'Bad Request',
      message: expect.any(String) as string,
      status_code: 400,
    });
  });
});

describe('a database failure', () => {
  let broken: TestServer;

  beforeAll(async () => {
    const db = await openTestDatabase();
    // Kysely connects lazily and destroy() on a never-used instance is a no-op, leaving it
    // working: one query first makes the destroy real on PostgreSQL as on the embedded database.
    await db.selectFrom('tasks').select('id').limit(1).execute();
    await db.destroy();
    broken = await startTestServer({ db });
  });

  afterAll(async () => {
    await broken.close();
  });

  const routes = [
    ['list', 'GET', '', undefined],
    ['create', 'POST', '', '{"title":"x"}'],
    ['get', 'GET', '/1', undefined],
    ['update', 'PUT', '/1', '{"title":"x","description":null,"complete":false}'],
    ['patch', 'PATCH', '/1', '{"complete":true}'],
    ['remove', 'DELETE', '/1', undefined],
  ] as const;

  it.each(routes)('%s is a bare 500 in the error format', async (_name, method, suffix, body) => {
    const user = newUserId();
    const errorsBefore = broken.logs.filter((line) => line.level === 50).length;
    const res = await broken.fetch(`/api/${user}/tasks${suffix}`, {
      method,
      headers: {
        authorization: `Bearer ${broken.tokenFor(user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const error = await expectError(res, 500);
    expect(error).toEqual({
      error: 'Internal Server Error',
      message: expect.any(String) as string,
      status_code: 500,
    });
    expect(error.message).not.toMatch(/destroyed|pool|database|kysely|pglite/i);

    // The operator, unlike the client, gets the cause.
    const errors = broken.logs.filter((line) => line.level === 50);
    expect(errors.length).toBeGreaterThan(errorsBefore);
    expect(errors.some((line) => line.err !== undefined)).toBe(true);
  });

  it('the log keeps the bearer token out even when it records the failure', async () => {
    const user = newUserId();
    const token = broken.tokenFor(user);
    await broken.fetch(`/api/${user}/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(JSON.stringify(broken.logs)).not.toContain(token);
  });
});
