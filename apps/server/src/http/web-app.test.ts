import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import type * as webAppModule from './web-app.js';
import { WEB_APP_FOLDER, webApp } from './web-app.js';

// The whole app, with a web build of the test's own in place of apps/web/dist: whether that
// folder exists in this checkout must not decide what the tests see.
const build = vi.hoisted(() => ({ folder: '' }));
vi.mock('./web-app.js', async (importOriginal) => {
  const real = await importOriginal<typeof webAppModule>();
  return {
    ...real,
    webApp: (folder: string, options?: webAppModule.WebAppOptions) =>
      real.webApp(folder === real.WEB_APP_FOLDER ? build.folder : folder, options),
  };
});

const PAGE = '<!doctype html><title>Enclave test page</title><div id="root"></div>';
const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let server: TestServer;

beforeAll(async () => {
  build.folder = mkdtempSync(join(tmpdir(), 'enclave-web-'));
  mkdirSync(join(build.folder, 'assets'));
  writeFileSync(join(build.folder, 'index.html'), PAGE);
  writeFileSync(join(build.folder, 'assets', 'index-AbC123.js'), 'console.log("app");\n');
  writeFileSync(join(build.folder, 'assets', 'index-AbC123.js.map'), '{"version":3}');
  writeFileSync(join(build.folder, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
  rmSync(build.folder, { recursive: true, force: true });
});

async function expectApiError(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await res.json()).toMatchObject({ status_code: status });
}

describe('the web app at /', () => {
  it('serves index.html to a browser, uncached and with a strict content security policy', async () => {
    const res = await server.fetch('/', { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(PAGE);
  });

  it('answers any other page a browser asks for with index.html too', async () => {
    for (const path of ['/tasks/42', '/sign-in', '/some/deep/path?x=1']) {
      const res = await server.fetch(path, { headers: html });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(PAGE);
    }
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await server.fetch('/', { method: 'HEAD', headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe('');
  });

  it('serves hashed assets as immutable, and other files revalidated', async () => {
    const asset = await server.fetch('/assets/index-AbC123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toContain('console.log');
    const icon = await server.fetch('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('leaves a missing asset, or a non-browser request, to the API 404', async () => {
    await expectApiError(await server.fetch('/assets/missing-123.js'), 404);
    // fetch() and curl send */*: the root stays the API's 404 for them.
    await expectApiError(await server.fetch('/'), 404);
    await expectApiError(await server.fetch('/nope', { headers: { accept: '*/*' } }), 404);
    await expectApiError(await server.fetch('/', { headers: { accept: 'application/json' } }), 404);
  });

  it('serves source maps outside production only', async () => {
    const map = await server.fetch('/assets/index-AbC123.js.map');
    expect(map.status).toBe(200);
    expect(await map.text()).toBe('{"version":3}');
    const production = await startTestServer({ sourceMaps: false });
    try {
      await expectApiError(await production.fetch('/assets/index-AbC123.js.map'), 404);
      const asBrowser = await production.fetch('/assets/index-AbC123.js.map', { headers: html });
      expect(await asBrowser.text()).not.toContain('"version":3');
      expect((await production.fetch('/assets/index-AbC123.js')).status).toBe(200);
    } finally {
      await production.close();
    }
  });

  it('serves nothing but GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      await expectApiError(await server.fetch('/', { method, headers: html }), 404);
    }
  });
});

describe('the API keeps its answers, even to a browser asking for HTML', () => {
  it('keeps /api: 401 without a token, 404 for unknown routes, 405 for undeclared methods', async () => {
    const user = newUserId();
    await expectApiError(await server.fetch(`/api/${user}/tasks`, { headers: html }), 401);
    const auth = { ...html, authorization: `Bearer ${server.tokenFor(user)}` };
    await expectApiError(await server.fetch(`/api/${user}/nope`, { headers: auth }), 404);
    await expectApiError(await server.fetch('/api', { headers: html }), 404);
    await expectApiError(await server.fetch('/api/', { headers: html }), 404);
    const list = await server.fetch(`/api/${user}/tasks`, { headers: auth });
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ tasks: [] });
    const put = await server.fetch(`/api/${user}/tasks`, { method: 'PUT', headers: auth });
    await expectApiError(put, 405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('keeps /auth, /openapi.json, /docs and the health probes', async () => {
    await expectApiError(await server.fetch('/auth/me', { headers: html }), 401);
    await expectApiError(await server.fetch('/auth/nope', { headers: html }), 404);
    await expectApiError(await server.fetch('/auth/login', { headers: html }), 405);
    const openapi = await server.fetch('/openapi.json', { headers: html });
    expect(openapi.status).toBe(200);
    expect(await openapi.json()).toHaveProperty('openapi');
    const docs = await server.fetch('/docs/', { headers: html });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
    for (const probe of ['/livez', '/readyz']) {
      const res = await server.fetch(probe, { headers: html });
      expect(res.status, probe).toBe(200);
      expect(res.headers.get('content-type'), probe).toMatch(/^application\/json/);
    }
    await expectApiError(await server.fetch('/healthz', { headers: html }), 404);
    const docsAsset = await server.fetch('/docs/nope.js', { headers: html });
    expect(await docsAsset.text()).not.toBe(PAGE);
  });
});

describe('webApp', () => {
  it('looks for the build in apps/web/dist', () => {
    const expected = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
    expect(WEB_APP_FOLDER).toBe(expected);
    expect(WEB_APP_FOLDER.replaceAll('\\', '/')).toMatch(/apps\/web\/dist\/$/);
  });

  it('passes every request on when there is no build', async () => {
    const express = (await import('express')).default;
    const app = express();
    app.use(webApp(join(build.folder, 'not-built')));
    app.use((_req, res) => {
      res.status(404).json({ passed: true });
    });
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    try {
      const { port } = listener.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: html });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ passed: true });
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});
