// The client ships to browsers, so its source may import only the contract and @ts-rest/core.
// These tests run in Node under vitest and never ship; a real socket shows exactly what a
// server would receive, which a stubbed fetch could not.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from './index.js';

interface Recorded {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let origin: string;
let requests: Recorded[];
let reply: { status: number; body: string | undefined };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (reply.body === undefined) {
        res.writeHead(reply.status).end();
      } else {
        res
          .writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' })
          .end(reply.body);
      }
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
  requests = [];
  reply = { status: 200, body: JSON.stringify({ tasks: [], count: 0 }) };
});

function only(): Recorded {
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

const task = {
  id: 7,
  user_id: 'alice',
  title: 'Write tests',
  description: null,
  complete: false,
  created_at: '2026-01-15T09:30:00.000Z',
  updated_at: '2026-01-15T09:30:00.000Z',
};

describe('createClient', () => {
  it('sends the token as a bearer Authorization header', async () => {
    await createClient({ baseUrl: origin, token: 'abc.def.ghi' }).tasks.list({
      params: { user_id: 'alice' },
    });
    expect(only().headers.authorization).toBe('Bearer abc.def.ghi');
  });

  it('sends no Authorization header at all without a token', async () => {
    await createClient({ baseUrl: origin }).tasks.list({ params: { user_id: 'alice' } });
    expect(only().headers).not.toHaveProperty('authorization');
  });

  it('sends extra headers, and the token wins over an Authorization among them', async () => {
    await createClient({
      baseUrl: origin,
      token: 'the-token',
      headers: { 'X-Request-Id': 'trace-1', Authorization: 'Basic c3RhbGU=' },
    }).tasks.list({ params: { user_id: 'alice' } });
    const { headers } = only();
    expect(headers['x-request-id']).toBe('trace-1');
    expect(headers.authorization).toBe('Bearer the-token');
  });

  it('builds each URL from baseUrl and the route path, with the right method', async () => {
    const client = createClient({ baseUrl: origin, token: 't' });
    reply = { status: 200, body: JSON.stringify(task) };
    await client.tasks.get({ params: { user_id: 'alice', id: 7 } });
    await client.tasks.update({
      params: { user_id: 'alice', id: 7 },
      body: { title: 'x', description: null, complete: true },
    });
    await client.tasks.patch({ params: { user_id: 'alice', id: 7 }, body: { complete: true } });
    reply = { status: 204, body: undefined };
    await client.tasks.remove({ params: { user_id: 'alice', id: 7 } });
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /api/alice/tasks/7',
      'PUT /api/alice/tasks/7',
      'PATCH /api/alice/tasks/7',
      'DELETE /api/alice/tasks/7',
    ]);
  });

  it('keeps a path prefix of baseUrl and tolerates a trailing slash', async () => {
    await createClient({ baseUrl: `${origin}/v1` }).tasks.list({ params: { user_id: 'alice' } });
    await createClient({ baseUrl: `${origin}/v1/` }).tasks.list({ params: { user_id: 'alice' } });
    await createClient({ baseUrl: `${origin}/` }).tasks.list({ params: { user_id: 'alice' } });
    expect(requests.map((request) => request.url)).toEqual([
      '/v1/api/alice/tasks',
      '/v1/api/alice/tasks',
      '/api/alice/tasks',
    ]);
  });

  it('percent-encodes path parameters so a user id cannot change the route', async () => {
    await createClient({ baseUrl: origin }).tasks.get({
      params: { user_id: 'auth0|a/b?c#d%e f', id: 3 },
    });
    expect(only().url).toBe('/api/auth0%7Ca%2Fb%3Fc%23d%25e%20f/tasks/3');
  });

  it('sends a create body as JSON and returns the status and parsed body', async () => {
    reply = { status: 201, body: JSON.stringify(task) };
    const response = await createClient({ baseUrl: origin, token: 't' }).tasks.create({
      params: { user_id: 'alice' },
      body: { title: 'Write tests' },
    });
    const request = only();
    expect(`${request.method} ${request.url}`).toBe('POST /api/alice/tasks');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request.body)).toEqual({ title: 'Write tests' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual(task);
  });

  it('returns error statuses as values rather than throwing', async () => {
    const error = { error: 'Unauthorized', message: 'Token has expired', status_code: 401 };
    reply = { status: 401, body: JSON.stringify(error) };
    const response = await createClient({ baseUrl: origin }).tasks.list({
      params: { user_id: 'alice' },
    });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(error);
  });
});

describe('reading answers', () => {
  it('answers an empty body (a 204) as undefined, as the contract declares', async () => {
    reply = { status: 204, body: undefined };
    const removed = await createClient({ baseUrl: origin }).tasks.remove({
      params: { user_id: 'alice', id: 7 },
    });
    expect(removed).toMatchObject({ status: 204, body: undefined });
  });

  it('keeps a body that claims JSON but is none as text, so the status still comes back', async () => {
    reply = { status: 502, body: '<html>Bad Gateway</html>' };
    const response = await createClient({ baseUrl: origin }).tasks.list({
      params: { user_id: 'alice' },
    });
    expect(response).toMatchObject({ status: 502, body: '<html>Bad Gateway</html>' });
  });

  it("checks the body against the route's schema when asked to (validateResponse)", async () => {
    reply = { status: 200, body: JSON.stringify({ tasks: 'not a list' }) };
    const client = createClient({ baseUrl: origin });
    const unchecked = await client.tasks.list({ params: { user_id: 'alice' } });
    expect(unchecked.body).toEqual({ tasks: 'not a list' });
    await expect(
      client.tasks.list({
        params: { user_id: 'alice' },
        overrideClientOptions: { validateResponse: true },
      }),
    ).rejects.toThrow(/tasks/);
  });

  it("passes the call's fetchOptions on: an aborted signal cancels the request", async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    const call = createClient({ baseUrl: origin }).tasks.list({
      params: { user_id: 'alice' },
      fetchOptions: { signal: cancelled.signal },
    });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toEqual([]);
  });
});
