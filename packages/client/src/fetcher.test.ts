// Retries and token sources, against a real socket: the server answers from a script, so a
// test says exactly which answers come back, and counts what the client really sent.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOnce, ifUnchanged, versionOf, wasReplayed } from './conditions.js';
import { createClient } from './index.js';

interface Scripted {
  status: number;
  headers?: Record<string, string>;
}

let server: Server;
let origin: string;
let script: Scripted[];
let received: { method: string | undefined; headers: IncomingHttpHeaders }[];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers });
      const next = script.shift() ?? { status: 200 };
      const body = JSON.stringify(
        next.status < 400
          ? { tasks: [], count: 0, next_cursor: null }
          : { status_code: next.status },
      );
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  script = [];
  received = [];
});

const params = { user_id: 'alice' };
const item = { user_id: 'alice', id: 7 };
const busy = (seconds = '0'): Scripted => ({ status: 503, headers: { 'retry-after': seconds } });

describe('retries', () => {
  // Made per test: `origin` is known once the server listens.
  const api = () => createClient({ baseUrl: origin, token: 't', retry: { baseDelayMs: 1 } });

  it('repeats a GET answered 503 or 429 until it succeeds, within 3 tries', async () => {
    script = [busy(), { status: 429, headers: { 'retry-after': '0' } }];
    const reply = await api().tasks.list({ params });
    expect(reply.status).toBe(200);
    expect(received).toHaveLength(3);
  });

  it('gives up after 3 tries and answers the last refusal', async () => {
    script = [busy(), busy(), busy(), busy()];
    const reply = await api().tasks.list({ params });
    expect(reply.status).toBe(503);
    expect(received).toHaveLength(3);
  });

  it('repeats a create with an Idempotency-Key, sending the same key each time', async () => {
    script = [busy()];
    const headers = createOnce();
    const reply = await api().tasks.create({ params, body: { title: 'x' }, headers });
    expect(reply.status).toBe(200);
    expect(received.map((request) => request.headers['idempotency-key'])).toEqual([
      headers['idempotency-key'],
      headers['idempotency-key'],
    ]);
  });

  it('repeats a write conditioned by If-Match', async () => {
    script = [busy()];
    const reply = await api().tasks.patch({
      params: item,
      body: { title: 'x' },
      headers: ifUnchanged({ version: 3 }),
    });
    expect(reply.status).toBe(200);
    expect(received.map((request) => request.headers['if-match'])).toEqual(['"3"', '"3"']);
  });

  it.each([
    ['a create without a key', () => api().tasks.create({ params, body: { title: 'x' } })],
    ['a PATCH without If-Match', () => api().tasks.patch({ params: item, body: { title: 'x' } })],
    ['a DELETE without If-Match', () => api().tasks.remove({ params: item })],
  ])('never repeats %s: a repeat could write twice', async (_kind, call) => {
    script = [busy()];
    const reply = await call();
    expect(reply.status).toBe(503);
    expect(received).toHaveLength(1);
  });

  it('does not wait longer than maxDelayMs: a far Retry-After is answered as it is', async () => {
    script = [busy('3600')];
    const reply = await createClient({ baseUrl: origin, retry: { maxDelayMs: 1_000 } }).tasks.list({
      params,
    });
    expect(reply.status).toBe(503);
    expect(received).toHaveLength(1);
  });

  it('waits as long as Retry-After says', async () => {
    script = [busy('1')];
    const started = Date.now();
    await api().tasks.list({ params });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(received).toHaveLength(2);
  });

  it('retry: false tries once', async () => {
    script = [busy()];
    const reply = await createClient({ baseUrl: origin, retry: false }).tasks.list({ params });
    expect(reply.status).toBe(503);
    expect(received).toHaveLength(1);
  });
});

describe('token sources', () => {
  it('asks a token function before every request, so a refreshed token is used at once', async () => {
    let calls = 0;
    const client = createClient({
      baseUrl: origin,
      token: () => Promise.resolve(`token-${++calls}`),
    });
    await client.tasks.list({ params });
    await client.tasks.list({ params });
    expect(received.map((request) => request.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('sends no Authorization when the function has no token', async () => {
    await createClient({ baseUrl: origin, token: () => undefined }).tasks.list({ params });
    expect(received[0]?.headers).not.toHaveProperty('authorization');
  });
});

describe('answer helpers', () => {
  it('read the version of an ETag and whether an answer is a replay', async () => {
    script = [{ status: 200, headers: { etag: '"12"', 'idempotent-replayed': 'true' } }];
    const reply = await createClient({ baseUrl: origin }).tasks.list({ params });
    expect(versionOf(reply)).toBe(12);
    expect(wasReplayed(reply)).toBe(true);
    script = [{ status: 200, headers: { etag: 'W/"12"' } }];
    const weak = await createClient({ baseUrl: origin }).tasks.list({ params });
    expect(versionOf(weak)).toBeUndefined();
    expect(wasReplayed(weak)).toBe(false);
  });

  it('makes a new random key for each createOnce(), and keeps a given one', () => {
    expect(createOnce()['idempotency-key']).not.toBe(createOnce()['idempotency-key']);
    expect(createOnce('order-1')).toEqual({ 'idempotency-key': 'order-1' });
  });
});
