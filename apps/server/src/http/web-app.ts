import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';

/** Where the web app's build lands (apps/web/dist), seen from src/http and dist/http alike. */
export const WEB_APP_FOLDER = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

// Paths the API answers, with its own 404 and 405 too: the web app never stands in for them.
const API_PATHS = /^\/(?:api|auth|docs|openapi\.json|livez|readyz|healthz)(?:\/|$)/;

// The page runs only its own script and talks only to its own origin: an injected <script>
// or inline handler does not run, which is what keeps the refresh token in localStorage from
// being read (apps/web/README.md).
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
    "frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  // A new build must reach the browser at once; its assets are what get cached.
  'Cache-Control': 'no-cache',
};

function setHeaders(res: Response, path: string) {
  // Vite puts a hash of each asset's content in its name: the name changes when it does.
  if (/[\\/]assets[\\/]/.test(path)) {
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  } else if (path.endsWith('.html')) {
    res.set(PAGE_HEADERS);
  } else {
    res.setHeader('Cache-Control', 'no-cache');
  }
}

// Browsers ask for a page with text/html; fetch(), curl and API clients send */* or JSON,
// and for those an unknown path stays the API's JSON 404.
const wantsPage = (req: Request) => (req.headers.accept ?? '').includes('text/html');

export interface WebAppOptions {
  /** Whether the build's source maps are served (they give the app's whole source away): off
   * in production, where none should be deployed either. */
  sourceMaps: boolean;
}

/**
 * Serves the web app (apps/web) at `/`: its files, and its index.html for a browser asking
 * for any other non-API page. Mounted after the API, before its 404. Without a build of the
 * app (a checkout that never ran `npm start`), it passes every request on.
 */
export function webApp(
  folder: string = WEB_APP_FOLDER,
  { sourceMaps }: WebAppOptions = { sourceMaps: true },
): Router {
  const router = express.Router();
  const index = join(folder, 'index.html');
  if (!existsSync(index)) return router;
  router.use((req, _res, next) => {
    const read = req.method === 'GET' || req.method === 'HEAD';
    const hidden = !sourceMaps && req.path.endsWith('.map');
    next(read && !hidden && !API_PATHS.test(req.path) ? undefined : 'router');
  });
  router.use(express.static(folder, { index: false, redirect: false, setHeaders }));
  router.use((req, res, next) => {
    if (!wantsPage(req)) {
      next();
      return;
    }
    res.set(PAGE_HEADERS);
    res.sendFile(index, (error) => {
      if (error !== undefined) next(error);
    });
  });
  return router;
}
