// The interactive docs as a browser meets them: what the page loads, from where, under which
// policy, and what else /docs and /openapi.json answer.
import { errorNames } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/harness.js';
import { nodeHttp } from '../../test/node-http.js';

let server: TestServer;
let html: string;
let docsUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  const response = await server.fetch('/docs');
  expect(response.status).toBe(200);
  docsUrl = response.url;
  expect(new URL(docsUrl).pathname).toBe('/docs/');
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  html = await response.text();
});

afterAll(async () => {
  await server.close();
});

function assetsOf(page: string): string[] {
  const references = [...page.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)];
  return references.map((match) => match[1]!);
}

function foreignUrls(source: string): string[] {
  const own = new URL(server.baseUrl).host;
  return [...source.matchAll(/https?:\/\/[^\s"'`)<>]+/g)]
    .map((match) => match[0])
    .filter((url) => new URL(url).host !== own);
}

/** Any method, TRACE included (fetch refuses to send it). */
const send = (method: string, path: string) => nodeHttp(`${server.baseUrl}${path}`, { method });

describe('GET /docs', () => {
  it('is the Swagger UI page, titled for this API', () => {
    expect(html).toContain('<title>Enclave API</title>');
    expect(html).toContain('id="swagger-ui"');
    // Nothing inline: the policy below runs no inline script.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\bstyle="/);
  });

  it('serves every script and stylesheet it references from this server', async () => {
    const assets = assetsOf(html);
    expect(assets).toEqual(
      expect.arrayContaining(['./swagger-ui.css', './swagger-ui-bundle.js', './docs.js']),
    );
    for (const asset of assets) {
      const url = new URL(asset, docsUrl);
      expect(url.origin, asset).toBe(server.baseUrl);
      const response = await server.fetch(url.pathname);
      expect(response.status, asset).toBe(200);
      const type = response.headers.get('content-type') ?? '';
      if (asset.endsWith('.js')) expect(type, asset).toMatch(/javascript/);
      if (asset.endsWith('.css')) expect(type, asset).toMatch(/^text\/css/);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
  });

  it('loads only the document /openapi.json serves, and nothing from another host', async () => {
    const withoutNamespaces = html.replace(/\bxmlns(?::\w+)?="[^"]*"/g, '');
    expect(foreignUrls(withoutNamespaces)).toEqual([]);
    const start = await (await server.fetch('/docs/docs.js')).text();
    expect(foreignUrls(start)).toEqual([]);
    const [, specUrl] = /\burl: '([^']+)'/.exec(start) ?? [];
    expect(new URL(specUrl!, docsUrl).pathname).toBe('/openapi.json');
    // No spec URL from the page's query, no document posted to validator.swagger.io.
    expect(start).toMatch(/queryConfigEnabled: false/);
    expect(start).toMatch(/validatorUrl: null/);
  });

  it.each(['/docs/', '/docs/docs.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css'])(
    '%s: only this origin’s scripts, never framed, nothing sniffed',
    async (path) => {
      const response = await server.fetch(path);
      expect(response.status).toBe(200);
      const policy = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        policy.split(';').map((directive) => {
          const [name = '', ...values] = directive.trim().split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
      );
      expect(directives.get('default-src')).toBe("'none'");
      expect(directives.get('script-src')).toBe("'self'");
      expect(directives.get('connect-src')).toBe("'self'");
      expect(directives.get('frame-ancestors')).toBe("'none'");
      expect(policy).not.toContain('unsafe-eval');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    },
  );

  it.each([
    // The package's own page: it loads the stock petstore document from the internet.
    '/docs/index.html',
    '/docs/swagger-initializer.js',
    '/docs/swagger-ui-init.js',
    '/docs/oauth2-redirect.html',
    '/docs/package.json',
  ])('%s is not served: 404 in the error format', async (path) => {
    const response = await server.fetch(path);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: errorNames[404], status_code: 404 });
  });
});

describe('/docs and /openapi.json are read-only', () => {
  const paths = ['/docs', '/docs/', '/docs/swagger-ui.css', '/openapi.json'];
  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'OPTIONS'])(
    '%s is 405 in the error format, allowing GET and HEAD',
    async (method) => {
      for (const path of paths) {
        const answer = await send(method, path);
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(answer.headers.allow).toBe('GET, HEAD');
        expect(JSON.parse(answer.body)).toEqual({
          error: errorNames[405],
          message: `${method} is not allowed here; allowed: GET, HEAD`,
          status_code: 405,
        });
      }
    },
  );

  it('HEAD is answered as GET is, without a body', async () => {
    for (const path of ['/docs/', '/openapi.json', '/docs/swagger-ui.css']) {
      const answer = await send('HEAD', path);
      expect(answer.status, path).toBe(200);
      expect(answer.body).toBe('');
    }
  });
});
