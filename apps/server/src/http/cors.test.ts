import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import {
  ALLOWED_HEADERS,
  ALLOWED_METHODS,
  EXPOSED_HEADERS,
  parseOrigin,
  PREFLIGHT_MAX_AGE_SECONDS,
} from './cors.js';

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const STRANGER = 'https://evil.example';

let on: TestServer;
let off: TestServer;

beforeAll(async () => {
  // A one-request budget per address on /auth: a preflight that spent it would show as a 429.
  on = await startTestServer({
    cors: { origins: [APP, DEV] },
    rateLimit: { auth: { burst: 1, perSecond: 1 } },
  });
  off = await startTestServer({ db: on.db });
});

afterAll(async () => {
  await off?.close();
  await on?.close();
});

/** The Access-Control-* headers of an answer, by lower-case name. */
function corsHeaders(res: Response): Record<string, string> {
  return Object.fromEntries(
    [...res.headers].filter(([name]) => name.startsWith('access-control-')),
  );
}

function preflight(server: TestServer, path: string, origin: string, method = 'POST') {
  return server.fetch(path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    },
  });
}

const varies = (res: Response) => (res.headers.get('vary') ?? '').split(/\s*,\s*/);

describe('CORS_ORIGINS unset (the default)', () => {
  it('sends no CORS headers, to a preflight or to a request', async () => {
    const user = newUserId();
    const asked = await preflight(off, `/api/${user}/tasks`, APP);
    await asked.arrayBuffer();
    expect(asked.status).not.toBe(204);
    expect(corsHeaders(asked)).toEqual({});
    const res = await off.fetch(`/api/${user}/tasks`, {
      headers: { origin: APP, authorization: `Bearer ${off.tokenFor(user)}` },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(corsHeaders(res)).toEqual({});
    expect(varies(res)).not.toContain('Origin');
  });
});

describe('a preflight from an allowed origin', () => {
  it('is answered 204 with the methods, headers and max age, before authentication', async () => {
    const res = await preflight(on, `/api/${newUserId()}/tasks/7`, APP, 'PATCH');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    });
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(varies(res)).toEqual(
      expect.arrayContaining([
        'Origin',
        'Access-Control-Request-Method',
        'Access-Control-Request-Headers',
      ]),
    );
  });

  it('allows every header the API reads and every verb it serves', () => {
    const headers = ALLOWED_HEADERS.split(', ');
    for (const name of ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key']) {
      expect(headers).toContain(name);
    }
    expect(ALLOWED_METHODS.split(', ')).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
  });

  it('spends none of the rate limit, and reaches no route', async () => {
    for (let i = 0; i < 5; i += 1) {
      const res = await preflight(on, '/auth/login', DEV);
      expect(res.status).toBe(204);
      expect(res.headers.get('ratelimit')).toBeNull();
    }
    // The address's one request is still there: a body the route refuses, not a 429.
    const real = await on.fetch('/auth/refresh', {
      method: 'POST',
      headers: { origin: DEV, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(real.status).toBe(400);
    await real.arrayBuffer();
    expect(real.headers.get('access-control-allow-origin')).toBe(DEV);
  });

  it('is answered for paths that do not exist too: the browser asks before it knows', async () => {
    const res = await preflight(on, '/no/such/route', APP, 'GET');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
  });
});

describe('a request from an allowed origin', () => {
  it('carries Allow-Origin and exposes the headers a client reads', async () => {
    const user = newUserId();
    const res = await on.fetch(`/api/${user}/tasks`, {
      headers: { origin: APP, authorization: `Bearer ${on.tokenFor(user)}` },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-expose-headers': EXPOSED_HEADERS,
    });
    expect(varies(res)).toContain('Origin');
    // Each header the server sent that a page may want is among those exposed.
    const exposed = EXPOSED_HEADERS.toLowerCase().split(', ');
    for (const name of ['x-request-id', 'ratelimit', 'ratelimit-policy']) {
      expect(res.headers.get(name)).not.toBeNull();
      expect(exposed).toContain(name);
    }
    for (const name of [
      'etag',
      'idempotent-replayed',
      'retry-after',
      'location',
      'content-disposition',
      'www-authenticate',
    ]) {
      expect(exposed).toContain(name);
    }
  });

  it('carries them on an error too, so the page can read why it was refused', async () => {
    const res = await on.fetch(`/api/${newUserId()}/tasks`, { headers: { origin: APP } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status_code: 401 });
    // A refused token says so in WWW-Authenticate, which the page can read.
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-expose-headers')).toBe(EXPOSED_HEADERS);
  });

  it('leaves an OPTIONS that is not a preflight to the API', async () => {
    const res = await on.fetch(`/api/${newUserId()}/tasks`, {
      method: 'OPTIONS',
      headers: { origin: APP },
    });
    await res.arrayBuffer();
    expect(res.status).not.toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('another origin', () => {
  it.each([STRANGER, 'null', `${APP}:8443`, 'http://app.example.com', APP.toUpperCase()])(
    '%s gets a 403 preflight in the error format, and no CORS headers',
    async (origin) => {
      const res = await preflight(on, `/api/${newUserId()}/tasks`, origin);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: 'Forbidden',
        message: 'This origin may not call the API from a browser',
        status_code: 403,
      });
      expect(corsHeaders(res)).toEqual({});
    },
  );

  it('is served as before, without CORS headers, so a browser withholds the answer', async () => {
    const user = newUserId();
    const res = await on.fetch(`/api/${user}/tasks`, {
      headers: { origin: STRANGER, authorization: `Bearer ${on.tokenFor(user)}` },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(corsHeaders(res)).toEqual({});
    expect(varies(res)).toContain('Origin');
  });

  it('and no Origin at all (not a browser, or same origin) changes nothing but Vary', async () => {
    const res = await on.fetch('/livez');
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(corsHeaders(res)).toEqual({});
    expect(varies(res)).toContain('Origin');
  });
});

describe('parseOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['https://app.example.com/', 'https://app.example.com'],
    ['HTTPS://App.Example.COM', 'https://app.example.com'],
    ['https://app.example.com:443', 'https://app.example.com'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('reads %j as %j, as a browser sends it', (entry, origin) => {
    expect(parseOrigin(entry)).toEqual({ origin });
  });

  it.each([
    ['*', /no wildcards/],
    ['https://*.example.com', /no wildcards/],
    ['https://app.example.com/path', /no path/],
    ['https://app.example.com/?x=1', /no path/],
    ['https://app.example.com#top', /no path/],
    ['https://user:pw@app.example.com', /no path, query or user/],
    ['app.example.com', /scheme, host and port only/],
    ['null', /scheme, host and port only/],
    ['ftp://files.example.com', /http:\/\/ or https:\/\/ only/],
    ['http://exa mple.com', /is not an origin/],
  ])('refuses %j', (entry, why) => {
    const parsed = parseOrigin(entry);
    expect(parsed).toEqual({ problem: expect.stringMatching(why) as string });
    expect(parsed).toEqual({ problem: expect.stringContaining(JSON.stringify(entry)) as string });
  });
});
