import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { openDatabase } from '../db/database.js';
import type { Db } from '../db/schema.js';
import { createLogger } from '../logger.js';
import { requestLineWriter } from './request-logging.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INFO = 30;
const WARN = 40;
const ERROR = 50;

type LogLine = Record<string, unknown>;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

// The request line is written when the response closes, which can be just after the client has
// read it; wait for the line rather than assume it is already there. It is the one with `res`
// ("request completed", or "request aborted" when the client left before the answer).
async function completionLine(target: TestServer, requestId: string): Promise<LogLine> {
  return vi.waitFor(() => {
    const lines = target.logs.filter((line) => line.request_id === requestId && 'res' in line);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  });
}

async function requestIdOf(response: Response): Promise<string> {
  await response.arrayBuffer();
  const id = response.headers.get('x-request-id');
  expect(id, `X-Request-Id on ${response.status} ${response.url}`).not.toBeNull();
  return id!;
}

/** Sends bytes as they are, for requests fetch refuses to make. */
function rawRequest(baseUrl: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1', () => socket.end(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('request line of a stream', () => {
  it('logs a change stream the client closed at info, not as an aborted request', async () => {
    const user = newUserId();
    const abort = new AbortController();
    const response = await server.fetch(`/api/${user}/changes/stream`, {
      headers: { authorization: `Bearer ${server.tokenFor(user)}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id')!;
    abort.abort();
    const line = await completionLine(server, id);
    expect(line).toMatchObject({ level: INFO, msg: 'stream closed by the client' });
    expect(line.res).toEqual({ status_code: 200 });
  });
});

describe('request id', () => {
  it('gives every request a log line whose request_id is the X-Request-Id it answers with', async () => {
    const user = newUserId();
    const token = server.tokenFor(user);
    const auth = { authorization: `Bearer ${token}` };
    const responses = [
      await server.fetch('/openapi.json'),
      await server.fetch(`/api/${user}/tasks`, { headers: auth }),
      await server.fetch(`/api/${user}/tasks`),
      await server.fetch('/no/such/route'),
      await server.fetch(`/api/${user}/tasks`, { method: 'PUT', headers: auth }),
      await server.fetch(`/api/${user}/tasks/1`, { headers: auth }),
    ];
    const ids = await Promise.all(responses.map(requestIdOf));
    for (const [index, id] of ids.entries()) {
      expect(id).toMatch(UUID);
      const line = await completionLine(server, id);
      expect(line.res).toEqual({ status_code: responses[index]!.status });
      expect(line.req).toMatchObject({ url: new URL(responses[index]!.url).pathname });
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the request id on lines the handlers write, not only on the completion line', async () => {
    const user = newUserId();
    const malformed = await server.fetch(`/api/${user}/tasks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.tokenFor(user)}`,
        'content-type': 'application/json',
      },
      body: '{"title":',
    });
    expect(malformed.status).toBe(400);
    const id = await requestIdOf(malformed);
    await completionLine(server, id);
    const lines = server.logs.filter((line) => line.request_id === id);
    expect(lines.map((line) => line.msg).sort()).toEqual(['rejected request', 'request completed']);
  });

  it('reuses a short, plain incoming X-Request-Id', async () => {
    for (const incoming of ['trace-01.ABC:xyz_9', 'a', 'x'.repeat(128), randomUUID()]) {
      const response = await server.fetch('/openapi.json', {
        headers: { 'X-Request-Id': incoming },
      });
      expect(await requestIdOf(response)).toBe(incoming);
      await completionLine(server, incoming);
    }
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['with a space', 'abc def'],
    ['with a tab', 'abc\tdef'],
    ['with markup', '<script>alert(1)</script>'],
    ['with quotes', '"quoted"'],
    ['with a non-ASCII letter', 'caf\u00e9'],
    ['with a slash', '../../etc/passwd'],
    ['empty', ''],
  ])('replaces an incoming X-Request-Id %s with a generated one', async (_why, incoming) => {
    const response = await server.fetch('/openapi.json', { headers: { 'X-Request-Id': incoming } });
    const id = await requestIdOf(response);
    expect(id).not.toBe(incoming);
    expect(id).toMatch(UUID);
    await completionLine(server, id);
    expect(server.logs.some((line) => line.request_id === incoming)).toBe(false);
  });

  it('replaces two X-Request-Id headers, which arrive joined by a comma', async () => {
    const headers = new Headers();
    headers.append('X-Request-Id', 'first');
    headers.append('X-Request-Id', 'second');
    const id = await requestIdOf(await server.fetch('/openapi.json', { headers }));
    expect(id).toMatch(UUID);
  });

  it('never lets an X-Request-Id with a line break reach a header or a log line', async () => {
    const marker = `injected-${randomUUID()}`;
    for (const lineBreak of ['\n', '\r', '\r\n ']) {
      const answer = await rawRequest(
        server.baseUrl,
        `GET /openapi.json HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: ok${lineBreak}${marker}\r\n` +
          'Connection: close\r\n\r\n',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).not.toContain(marker);
    }
    expect(JSON.stringify(server.logs)).not.toContain(marker);
  });
});

describe('what is logged', () => {
  it('never writes a token, an Authorization header or a body value', async () => {
    const user = newUserId();
    const valid = server.tokenFor(user);
    const forged = jwt.sign({ sub: user }, 'not-the-server-secret', { expiresIn: 300 });
    const expired = server.tokenFor(user, { exp: Math.floor(Date.now() / 1000) - 60 });
    const garbage = `garbage-${randomUUID()}`;
    const basic = `Basic ${Buffer.from(`${user}:password-${randomUUID()}`).toString('base64')}`;
    const bodyValues = Array.from({ length: 6 }, () => `body-${randomUUID()}`);
    const json = (token: string, method: string, body: string): RequestInit => ({
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

    const created = await server.fetch(
      `/api/${user}/tasks`,
      json(valid, 'POST', JSON.stringify({ title: bodyValues[0], description: bodyValues[1] })),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.clone().json()) as { id: number };
    const bearer = (token: string): RequestInit => ({
      headers: { authorization: `Bearer ${token}` },
    });
    // Each path a secret could take: success, validation, parse and size failures, every kind
    // of authentication failure, and the wrong owner.
    const sent: [string, RequestInit, number][] = [
      [`/api/${user}/tasks/${id}`, json(valid, 'PATCH', `{"description":"${bodyValues[2]}"}`), 200],
      [
        `/api/${user}/tasks`,
        json(valid, 'POST', `{"title":"","complete":"${bodyValues[3]}"}`),
        400,
      ],
      [`/api/${user}/tasks`, json(valid, 'POST', `{"title":"${bodyValues[4]}"`), 400],
      [
        `/api/${user}/tasks`,
        json(valid, 'POST', `{"title":"${bodyValues[5]!.repeat(4000)}"}`),
        413,
      ],
      [`/api/${user}/tasks`, json(forged, 'POST', `{"title":"${bodyValues[0]}"}`), 401],
      [`/api/${user}/tasks`, bearer(expired), 401],
      [`/api/${user}/tasks`, bearer(garbage), 401],
      [`/api/${user}/tasks`, { headers: { authorization: basic } }, 401],
      [`/api/${newUserId()}/tasks`, bearer(valid), 403],
    ];
    const responses = [created];
    for (const [path, init, status] of sent) {
      const response = await server.fetch(path, init);
      expect(response.status, `${init.method ?? 'GET'} ${path}`).toBe(status);
      responses.push(response);
    }
    for (const response of responses) await completionLine(server, await requestIdOf(response));

    const written = JSON.stringify(server.logs);
    for (const secret of [valid, forged, expired, garbage, basic, ...bodyValues]) {
      expect(written).not.toContain(secret);
    }
    // Parts of a token are as bad as the whole, e.g. a serialiser that splits on dots.
    for (const part of valid.split('.')) expect(written).not.toContain(part);
    expect(written.toLowerCase()).not.toContain('authorization');
    expect(written.toLowerCase()).not.toContain('bearer');
  });

  it('keeps query parameter names but not their values (a search is private text)', async () => {
    const user = newUserId();
    const secret = `secret-${randomUUID()}`;
    const response = await server.fetch(`/api/${user}/tasks?q=${secret}&limit=5&sort=-id`, {
      headers: { authorization: `Bearer ${server.tokenFor(user)}` },
    });
    expect(response.status).toBe(200);
    const line = await completionLine(server, await requestIdOf(response));
    expect(line.req).toEqual({ method: 'GET', url: `/api/${user}/tasks?q=…&limit=…&sort=…` });
    // Refused requests too, whatever the query holds.
    const refused = await server.fetch(`/api/${user}/tasks?q=${secret}&flag`);
    expect(refused.status).toBe(401);
    const refusedLine = await completionLine(server, await requestIdOf(refused));
    expect(refusedLine.req).toMatchObject({ url: `/api/${user}/tasks?q=…&flag` });
    expect(JSON.stringify(server.logs)).not.toContain(`q=${secret}`);
  });

  it('keeps the values too when LOG_QUERY_VALUES is on, for debugging', async () => {
    const verbose = await startTestServer({ db: server.db, logQueryValues: true });
    try {
      const response = await verbose.fetch('/nope?q=milk&limit=5');
      const line = await completionLine(verbose, await requestIdOf(response));
      expect(line.req).toEqual({ method: 'GET', url: '/nope?q=milk&limit=5' });
    } finally {
      await verbose.close();
    }
  });

  it('logs 2xx and 3xx at info, 4xx at warn', async () => {
    const user = newUserId();
    const auth = { authorization: `Bearer ${server.tokenFor(user)}` };
    const expectations: [Promise<Response>, number, number][] = [
      [server.fetch(`/api/${user}/tasks`, { headers: auth }), 200, INFO],
      [server.fetch('/docs', { redirect: 'manual' }), 301, INFO],
      [server.fetch(`/api/${user}/tasks/abc`, { headers: auth }), 400, WARN],
      [server.fetch(`/api/${user}/tasks`), 401, WARN],
      [server.fetch(`/api/${newUserId()}/tasks`, { headers: auth }), 403, WARN],
      [server.fetch(`/api/${user}/tasks/999999`, { headers: auth }), 404, WARN],
      [server.fetch(`/api/${user}/tasks`, { method: 'PUT', headers: auth }), 405, WARN],
    ];
    for (const [pending, status, level] of expectations) {
      const response = await pending;
      expect(response.status).toBe(status);
      const line = await completionLine(server, await requestIdOf(response));
      expect(line.level, `${status} ${response.url}`).toBe(level);
    }
  });
});

describe('a failing server', () => {
  let failing: TestServer;
  let db: Db;

  beforeAll(async () => {
    // Never migrated: every task query fails inside the handler, as a database outage would.
    db = (await openDatabase({ url: undefined, dataDir: 'memory://', poolMax: 1 })).db;
    failing = await startTestServer({ db });
  });

  afterAll(async () => {
    await failing.close();
    await db.destroy();
  });

  it('logs a 500 at error, with the cause, the request id and still no secrets', async () => {
    const user = newUserId();
    const token = failing.tokenFor(user);
    const title = `body-${randomUUID()}`;
    const response = await failing.fetch(`/api/${user}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(response.status).toBe(500);
    const id = await requestIdOf(response);
    const completed = await completionLine(failing, id);
    expect(completed.level).toBe(ERROR);
    const handlerLine = failing.logs.find(
      (line) => line.request_id === id && line.msg === 'unhandled error',
    );
    expect(handlerLine?.level).toBe(ERROR);
    // The cause stays diagnosable without the statement's parameters, which are request data.
    expect(handlerLine?.err).toMatchObject({
      message: 'relation "tasks" does not exist',
      code: '42P01',
    });
    expect(handlerLine?.err).not.toHaveProperty('params');

    const written = JSON.stringify(failing.logs);
    expect(written).not.toContain(token);
    expect(written).not.toContain(title);
    expect(written.toLowerCase()).not.toContain('authorization');
  });
});

describe('the request line', () => {
  // Two loggers as the server makes them, one writing through pino, one through the writer.
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger('info', { write: (line: string) => lines.push(line) }) };
  };
  const withoutTime = (line: string | undefined) => line?.replace(/"time":"[^"]+"/, '"time":"T"');
  const url = '/api/u/tasks?q=%22a"b\\c\u00e9\u2028';

  it('is, byte for byte, the line pino writes for the same fields', () => {
    const viaPino = capture();
    const viaWriter = capture();
    for (const [level, status] of [
      ['info', 200],
      ['warn', 404],
      ['error', 500],
    ] as const) {
      const fields = {
        request_id: 'r-1',
        req: { method: 'GET', url },
        res: { status_code: status },
      };
      viaPino.logger[level]({ ...fields, responseTime: 3 }, 'request completed');
      requestLineWriter(viaWriter.logger)(level, 'request completed', 'r-1', 'GET', url, status, 3);
    }
    expect(viaWriter.lines).toHaveLength(3);
    expect(viaWriter.lines.map(withoutTime)).toEqual(viaPino.lines.map(withoutTime));
    expect(JSON.parse(viaWriter.lines[0]!)).toMatchObject({ level: INFO, service: 'enclave' });
  });

  it('goes through pino for a destination that wants each line’s metadata', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      pino.multistream([{ stream: { write: (line: string) => lines.push(line) } }]),
    );
    requestLineWriter(logger)('warn', 'request aborted', 'r-2', 'POST', url, 200, 9);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: WARN,
      request_id: 'r-2',
      req: { method: 'POST', url },
      msg: 'request aborted',
    });
  });
});
