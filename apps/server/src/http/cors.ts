import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './errors.js';

/** CORS_ORIGINS: the exact origins whose pages may call the API; none turns CORS off. */
export interface CorsConfig {
  /** Normalised origins (`https://app.example.com`, `http://localhost:5173`). */
  origins: readonly string[];
}

export const CORS_OFF: CorsConfig = { origins: [] };

/** What a browser may send cross-origin: every verb of the API, and the headers it reads. */
export const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
export const ALLOWED_HEADERS =
  'Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, Last-Event-ID, X-Request-Id';
/** The response headers a page's script may read besides the CORS-safelisted ones. */
// Content-Disposition names the export's file; WWW-Authenticate tells a refused token apart
// from a refused password on the routes that check one (the web app reads both).
export const EXPOSED_HEADERS =
  'ETag, Idempotent-Replayed, X-Request-Id, Retry-After, RateLimit, RateLimit-Policy, Location, ' +
  'Content-Disposition, WWW-Authenticate';
/** Seconds a browser may reuse a preflight's answer (Chromium caps it at 7200). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * The origin `entry` names, normalised as a browser sends it in `Origin` (lower-case scheme and
 * host, no default port), or why it is not one: an origin is a scheme and host with an
 * optional port, and nothing else.
 */
export function parseOrigin(entry: string): { origin: string } | { problem: string } {
  const problem = `${JSON.stringify(entry)} is not an origin such as https://app.example.com`;
  if (entry.includes('*')) return { problem: `${problem} (no wildcards: list each origin)` };
  // A trailing `/` is forgiven; anything after the host (a path, query, fragment) or before it
  // (user:password@) is more than an `Origin` header ever carries.
  const bare = entry.endsWith('/') ? entry.slice(0, -1) : entry;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#@\\]+$/i.test(bare)) {
    return { problem: `${problem} (scheme, host and port only: no path, query or user)` };
  }
  let url: URL;
  try {
    url = new URL(bare);
  } catch {
    return { problem };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `${problem} (http:// or https:// only)` };
  }
  return { origin: url.origin };
}

/**
 * Cross-origin access for the configured origins, mounted before authentication and rate
 * limiting: a preflight carries no token and must not spend one. With no origins, a no-op.
 * Credentials mode stays off (no `Access-Control-Allow-Credentials`): the API authenticates by
 * bearer token, never by cookie, so a page needs no credentials to call it.
 */
export function cors(config: CorsConfig): RequestHandler {
  if (config.origins.length === 0) {
    return (_req: Request, _res: Response, next: NextFunction) => next();
  }
  const allowed = new Set(config.origins);
  return (req: Request, res: Response, next: NextFunction) => {
    // Whether an answer carries Allow-Origin depends on Origin, so a shared cache must key on it
    // for every answer, including those to requests without one.
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    const preflight =
      req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!allowed.has(origin)) {
      // A plain request is served as ever: without CORS headers the browser withholds the
      // answer from the page, and non-browser clients send Origin at will.
      if (preflight) sendError(res, 403, 'This origin may not call the API from a browser');
      else next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (!preflight) {
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      next();
      return;
    }
    // The preflight's own answer varies by what it asks, too.
    res.vary('Access-Control-Request-Method');
    res.vary('Access-Control-Request-Headers');
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    res.status(204).end();
  };
}
