import { contract, errorNames, type ErrorStatus, type Task } from '@enclave/contract';
import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { RawConnection, rawRequest, type RawResponse } from '../../test/raw-http.js';
import { DEFAULT_HTTP_TIMEOUTS } from './http-timeouts.js';

let server: TestServer;
// A 1 kB body limit: over-limit bodies stay small enough to send whole when a test wants to.
let small: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  small = await startTestServer({ db: server.db, bodyLimit: '1kb' });
});

afterAll(async () => {
  await small.close();
  await server.close();
});

/** The exact error format, as Node's own answers (an empty body) would not be. */
function expectErrorFormat(response: RawResponse, status: ErrorStatus, message?: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toEqual({
    error: errorNames[status],
    message: expect.any(String) as string,
    status_code: status,
  });
  if (message !== undefined)
    expect((response.body as { message: string }).message).toMatch(message);
}

function expectClosing(response: RawResponse) {
  expect(response.headers.connection).toBe('close');
}

/** A user, their token and what they have stored, to show a refused write stored nothing. */
function newUser(on: TestServer = server) {
  const id = newUserId();
  const token = on.tokenFor(id);
  const stored = async (): Promise<Task[]> => {
    const res = await on.clientFor(id).tasks.list({ params: { user_id: id } });
    if (res.status !== 200) throw new Error(`could not list tasks: ${res.status}`);
    return res.body.tasks;
  };
  const collection = `/api/${id}/tasks`;
  /** Creates a task titled "kept": the task and its item path. */
  const keptTask = async (): Promise<{ task: Task; item: string }> => {
    const created = await on.clientFor(id).tasks.create({
      params: { user_id: id },
      body: { title: 'kept' },
    });
    if (created.status !== 201) throw new Error('could not create a task');
    return { task: created.body, item: `${collection}/${created.body.id}` };
  };
  return { id, token, collection, stored, keptTask };
}

const TASK = '{"title":"from a raw socket"}';

describe('Expect', () => {
  it('an expectation other than 100-continue is 417 in the error format, and closes', async () => {
    const { response, connection } = await rawRequest(
      server.baseUrl,
      'GET /nope HTTP/1.1\r\nHost: x\r\nExpect: the-impossible\r\n\r\n',
    );
    expectErrorFormat(response, 417, /100-continue/);
    expectClosing(response);
    expect(await connection.closed()).toBe(true);
  });

  it('100-continue with an over-limit Content-Length is 413 at once, with no 100 Continue', async () => {
    const user = newUser();
    const connection = await RawConnection.open(server.baseUrl);
    await connection.write(
      `POST ${user.collection} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 52428800\r\n' +
        'Expect: 100-continue\r\n\r\n',
    );
    const response = await connection.response();
    expectErrorFormat(response, 413, /too large/);
    expectClosing(response);
    expect(await connection.closed()).toBe(true);
    expect(connection.unread()).toBe('');
    expect(await user.stored()).toEqual([]);
  });

  it('100-continue within the limit gets 100 Continue, then the body is served', async () => {
    const user = newUser();
    const connection = await RawConnection.open(server.baseUrl);
    await connection.write(
      `POST ${user.collection} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${TASK.length}\r\n` +
        'Expect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    expect((await connection.response()).status).toBe(100);
    await connection.write(TASK);
    const created = await connection.response();
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await user.stored()).map((task) => task.title)).toEqual(['from a raw socket']);
    connection.destroy();
  });
});

describe('Host', () => {
  it('an HTTP/1.1 request without Host is 400 in the error format, and closes', async () => {
    const { response, connection } = await rawRequest(server.baseUrl, 'GET /nope HTTP/1.1\r\n\r\n');
    expectErrorFormat(response, 400, /Host/);
    expectClosing(response);
    expect(await connection.closed()).toBe(true);
  });

  it('a write without Host is refused before it runs: nothing is stored', async () => {
    const user = newUser();
    const { response } = await rawRequest(
      server.baseUrl,
      `POST ${user.collection} HTTP/1.1\r\nAuthorization: Bearer ${user.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${TASK.length}\r\n\r\n${TASK}`,
    );
    expectErrorFormat(response, 400, /Host/);
    expect(await user.stored()).toEqual([]);
  });

  it('with Expect: 100-continue and no Host it is the same 400, with no 100 Continue', async () => {
    const { response } = await rawRequest(
      server.baseUrl,
      'POST /nope HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n',
    );
    expectErrorFormat(response, 400, /Host/);
  });

  it('HTTP/1.0 needs no Host: the request reaches the routes', async () => {
    const { response } = await rawRequest(server.baseUrl, 'GET /nope HTTP/1.0\r\n\r\n');
    expectErrorFormat(response, 404);
  });
});

describe('CONNECT and Upgrade', () => {
  it('CONNECT is 405 in the error format and closes, instead of a dropped socket', async () => {
    const { response, connection } = await rawRequest(
      server.baseUrl,
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    );
    expectErrorFormat(response, 405, /CONNECT/);
    expectClosing(response);
    // A target that is an authority, not a path, allows no method at all.
    expect(response.headers.allow).toBe('');
    expect(await connection.closed()).toBe(true);
    // The server is unharmed.
    expect((await server.fetch('/nope')).status).toBe(404);
  });

  it('an Upgrade request is served as a plain request (no upgrade is offered)', async () => {
    const user = newUser();
    const { response, connection } = await rawRequest(
      server.baseUrl,
      `GET ${user.collection} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n` +
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tasks: [] });
    connection.destroy();
  });
});

describe('413 closes the connection without reading the rest of the body', () => {
  const head = (path: string, token: string, framing: string) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\n${framing}\r\n\r\n`;

  it('a 50 MB Content-Length: 413 after a few kB, and the socket closes', async () => {
    const user = newUser();
    const connection = await RawConnection.open(server.baseUrl);
    const started = Date.now();
    await connection.write(head(user.collection, user.token, 'Content-Length: 52428800'));
    await connection.write(`{"title":"${'x'.repeat(8 * 1024)}`);
    const response = await connection.response(3000);
    expectErrorFormat(response, 413, /too large/);
    expectClosing(response);
    expect(await connection.closed(2000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(connection.written).toBeLessThan(10 * 1024);
    // An orderly close: a reset could have destroyed the answer before the client read it.
    expect(connection.reset).toBe(false);
    expect(await user.stored()).toEqual([]);
  });

  it('so does one without a valid token: the size is refused before authentication', async () => {
    const user = newUser();
    const connection = await RawConnection.open(server.baseUrl);
    await connection.write(head(user.collection, 'not-a-token', 'Content-Length: 52428800'));
    await connection.write('{"title":"');
    const response = await connection.response(3000);
    expectErrorFormat(response, 413);
    expect(await connection.closed(2000)).toBe(true);
  });

  it('a chunked body is cut off the moment it passes the limit', async () => {
    const user = newUser(small);
    const connection = await RawConnection.open(small.baseUrl);
    await connection.write(head(user.collection, user.token, 'Transfer-Encoding: chunked'));
    const chunk = `{"title":"${'x'.repeat(2000)}`;
    // One chunk over the 1 kB limit, and no last chunk: the client would go on sending.
    await connection.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const response = await connection.response(3000);
    expectErrorFormat(response, 413, /too large/);
    expectClosing(response);
    expect(await connection.closed(2000)).toBe(true);
    expect(connection.reset).toBe(false);
    expect(await user.stored()).toEqual([]);
    // The parser's own report of the overflow, arriving after the answer, is not a second one.
    expect(small.logs.filter((line) => line.level === 50)).toEqual([]);
  });

  it('a chunked body just within the limit is still served', async () => {
    const user = newUser(small);
    const body = JSON.stringify({ title: 't', description: 'd'.repeat(900) });
    const { response, connection } = await rawRequest(
      small.baseUrl,
      head(user.collection, user.token, 'Transfer-Encoding: chunked') +
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    connection.destroy();
  });
});

describe('timeouts', () => {
  let slow: TestServer;
  const timeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 1000 };

  beforeAll(async () => {
    slow = await startTestServer({ db: server.db, http: timeouts });
  });

  afterAll(async () => {
    await slow.close();
  });

  it('the server uses the configured values', () => {
    expect(slow.httpServer.headersTimeout).toBe(300);
    expect(slow.httpServer.requestTimeout).toBe(600);
    expect(slow.httpServer.keepAliveTimeout).toBe(1000);
    // Checked often enough that a limit holds within a quarter of its length.
    // Node sets it, though its types do not declare it.
    const { connectionsCheckingInterval } = slow.httpServer as {
      connectionsCheckingInterval?: number;
    };
    expect(connectionsCheckingInterval).toBe(75);
    expect(server.httpServer.headersTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs);
    expect(server.httpServer.requestTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs);
    expect(server.httpServer.keepAliveTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.keepAliveTimeoutMs);
  });

  it('headers not complete in time: 408 in the error format, and the socket closes', async () => {
    const connection = await RawConnection.open(slow.baseUrl);
    const started = Date.now();
    await connection.write('GET /nope HTTP/1.1\r\nHost: x\r\n');
    const response = await connection.response(3000);
    const waited = Date.now() - started;
    expectErrorFormat(response, 408);
    expectClosing(response);
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(1500);
    expect(await connection.closed()).toBe(true);
  });

  it('a body not complete in time: 408 too, later, and nothing is stored', async () => {
    const user = newUser(slow);
    const connection = await RawConnection.open(slow.baseUrl);
    const started = Date.now();
    await connection.write(
      `POST ${user.collection} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"title":',
    );
    const response = await connection.response(3000);
    const waited = Date.now() - started;
    expectErrorFormat(response, 408);
    expect(waited).toBeGreaterThanOrEqual(580);
    expect(waited).toBeLessThan(2000);
    expect(await connection.closed()).toBe(true);
    expect(await user.stored()).toEqual([]);
    // The body parser's late report of the cut-off body is no server error.
    expect(slow.logs.filter((line) => line.level === 50)).toEqual([]);
  });

  it('an idle kept-alive connection is closed after the keep-alive timeout', async () => {
    const { response, connection } = await rawRequest(
      slow.baseUrl,
      'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(response.headers['keep-alive']).toBe('timeout=1');
    const answered = Date.now();
    expect(await connection.closed(4000)).toBe(true);
    // Node adds a second of grace to the advertised timeout before closing.
    expect((connection.closedAt ?? 0) - answered).toBeGreaterThanOrEqual(900);
  });
});

describe('invalid UTF-8 in a JSON body', () => {
  const bad: [string, number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['0xFF', [0xff]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ];

  const bodyWith = (field: string, bytes: number[], rest = '') =>
    Buffer.concat([Buffer.from(`{"${field}":"a`), Buffer.from(bytes), Buffer.from(`b"${rest}}`)]);

  it.each(bad)('%s is 400 on every write, and nothing is stored', async (_label, bytes) => {
    const user = newUser();
    const { task, item } = await user.keptTask();
    for (const [method, path, body] of [
      ['POST', user.collection, bodyWith('title', bytes)],
      ['PUT', item, bodyWith('title', bytes, ',"description":null,"complete":false')],
      ['PATCH', item, bodyWith('description', bytes)],
    ] as const) {
      const res = await server.fetch(path, {
        method,
        body,
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      });
      const answer: unknown = await res.json();
      expect(res.status, JSON.stringify(answer)).toBe(400);
      expect(answer).toEqual({
        error: 'Bad Request',
        message: 'Request body is not valid UTF-8',
        status_code: 400,
      });
    }
    expect(await user.stored()).toEqual([task]);
  });

  it('valid multi-byte text is stored exactly', async () => {
    const user = newUser();
    const title = 'é ü 漢字 🦀 \u{10FFFF}';
    const res = await server.fetch(user.collection, {
      method: 'POST',
      body: Buffer.from(JSON.stringify({ title })),
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect((await user.stored()).map((task) => task.title)).toEqual([title]);
  });

  it('a utf-16 charset is refused, though body-parser would decode it', async () => {
    const user = newUser();
    const res = await server.fetch(user.collection, {
      method: 'POST',
      body: Buffer.from('{"title":"x"}', 'utf16le'),
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json; charset=utf-16le',
      },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/utf-8/);
    expect(await user.stored()).toEqual([]);
  });
});

describe('unknown query parameters are 400 on every route', () => {
  async function expectUnknownQuery(res: Response, key: string) {
    const body = (await res.json()) as { message: string; details?: { path: string }[] };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.message).toMatch(/^Invalid request: query: /);
    expect(body.message).toContain(`'${key}'`);
    expect(body.details?.map((detail) => detail.path)).toEqual(['query']);
  }

  it.each(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'colour', 'a[b]'])(
    '%s on the list route',
    async (key) => {
      const user = newUser();
      const res = await server.fetch(`${user.collection}?${encodeURIComponent(key)}=x`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      await expectUnknownQuery(res, key);
    },
  );

  it.each(['__proto__', 'constructor', 'foo'])(
    '%s on every route that declares no query, changing nothing',
    async (key) => {
      const user = newUser();
      const { task, item } = await user.keptTask();
      const query = `?${key}=x`;
      const routes = [
        ['POST', user.collection, TASK],
        ['GET', item, undefined],
        ['PUT', item, '{"title":"changed","description":null,"complete":true}'],
        ['PATCH', item, '{"title":"changed"}'],
        ['DELETE', item, undefined],
      ] as const;
      for (const [method, path, body] of routes) {
        const res = await server.fetch(`${path}${query}`, {
          method,
          headers: {
            authorization: `Bearer ${user.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body }),
        });
        await expectUnknownQuery(res, key);
      }
      expect(await user.stored()).toEqual([task]);
    },
  );

  it('a repeated parameter is 400 naming it, not a silent pick of one value', async () => {
    const user = newUser();
    const res = await server.fetch(`${user.collection}?limit=1&limit=2`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const body = (await res.json()) as { details?: { path: string }[] };
    expect(res.status).toBe(400);
    expect(body.details?.map((detail) => detail.path)).toEqual(['query.limit']);
  });

  it('known parameters still work, an empty query string too', async () => {
    const user = newUser();
    for (const query of ['?limit=5&sort=-id', '?', '']) {
      const res = await server.fetch(`${user.collection}${query}`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(res.status, query).toBe(200);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('every route that declares a query declares it strict, so unknown keys are refused', () => {
    const routes = (router: AppRouter): AppRoute[] =>
      Object.values(router).flatMap((entry) => (isAppRoute(entry) ? [entry] : routes(entry)));
    const withQuery = routes(contract).filter((route) => route.query != null);
    expect(withQuery.length).toBeGreaterThan(0);
    for (const route of withQuery) {
      expect(route.query, route.path).toBeInstanceOf(z.ZodObject);
      expect((route.query as z.AnyZodObject)._def.unknownKeys, route.path).toBe('strict');
    }
  });
});
