// `X-Content-Type-Options: nosniff` on every answer the server gives, whoever gives it: the
// API, its errors, the docs, the web app, the probes, and the answers made before Express.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { rawRequest } from '../../test/raw-http.js';
import { WEB_APP_FOLDER } from './web-app.js';

const webAppBuilt = existsSync(join(WEB_APP_FOLDER, 'index.html'));

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

describe('nosniff', () => {
  it('is on the API’s answers, successes and errors alike', async () => {
    const user = newUserId();
    const auth = { authorization: `Bearer ${server.tokenFor(user)}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const created = await server.fetch(`/api/${user}/tasks`, {
      method: 'POST',
      headers: json,
      body: '{"title":"t"}',
    });
    const { id } = (await created.clone().json()) as { id: number };
    const answers: [string, Promise<Response>, number][] = [
      ['create', Promise.resolve(created), 201],
      ['list', server.fetch(`/api/${user}/tasks?q=t`, { headers: auth }), 200],
      [
        'delete',
        server.fetch(`/api/${user}/tasks/${id}`, { method: 'DELETE', headers: auth }),
        204,
      ],
      ['no token', server.fetch(`/api/${user}/tasks`), 401],
      ['another user', server.fetch(`/api/${newUserId()}/tasks`, { headers: auth }), 403],
      ['no route', server.fetch('/nope'), 404],
      [
        'bad JSON',
        server.fetch(`/api/${user}/tasks`, { method: 'POST', headers: json, body: '{' }),
        400,
      ],
      ['method', server.fetch(`/api/${user}/tasks`, { method: 'PUT', headers: auth }), 405],
      [
        'too large',
        server.fetch(`/api/${user}/tasks`, {
          method: 'POST',
          headers: json,
          body: 'x'.repeat(200_000),
        }),
        413,
      ],
      ['liveness', server.fetch('/livez'), 200],
      ['readiness', server.fetch('/readyz'), 200],
      ['OpenAPI', server.fetch('/openapi.json'), 200],
      ['docs', server.fetch('/docs/'), 200],
      ['docs asset', server.fetch('/docs/swagger-ui.css'), 200],
      // The web app's page where it is built (npm start builds it), else the API's 404.
      [
        'web app',
        server.fetch('/tasks', { headers: { accept: 'text/html' } }),
        webAppBuilt ? 200 : 404,
      ],
    ];
    for (const [what, pending, status] of answers) {
      const response = await pending;
      await response.arrayBuffer();
      expect(response.status, what).toBe(status);
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
    }
  });

  it.each([
    ['no Host (answered before Express)', 'GET /nope HTTP/1.1\r\n\r\n', 400],
    ['an unknown Expect', 'GET /nope HTTP/1.1\r\nHost: x\r\nExpect: x\r\n\r\n', 417],
    ['CONNECT (a raw answer)', 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', 405],
    [
      'headers over the limit (Node’s parser)',
      `GET / HTTP/1.1\r\nHost: x\r\nX: ${'x'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['an unparseable request line', 'NOT HTTP\r\n\r\n', 400],
  ])('is on answers made before Express: %s', async (_what, request, status) => {
    const { response, connection } = await rawRequest(server.baseUrl, request);
    expect(response.status).toBe(status);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    connection.destroy();
  });
});
