import type { AppRoute, AppRouter } from '@ts-rest/core';
import { isAppRoute } from '@ts-rest/core';
import type { Express, Request, RequestHandler, Response } from 'express';
import { sendError } from './errors.js';

/** 405 in the error format, with the `Allow` header a 405 must carry. */
function sendMethodNotAllowed(req: Request, res: Response, allow: string): void {
  res.setHeader('Allow', allow);
  sendError(res, 405, `${req.method} is not allowed here; allowed: ${allow}`);
}

/** For what is only ever read (the docs, the OpenAPI document): GET and HEAD, else 405. */
export const readOnly: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') next();
  else sendMethodNotAllowed(req, res, 'GET, HEAD');
};

function routesOf(router: AppRouter): AppRoute[] {
  return Object.values(router).flatMap((entry) => (isAppRoute(entry) ? [entry] : routesOf(entry)));
}

/**
 * For every path the contract declares, a request with an undeclared method gets 405 with an
 * `Allow` header rather than a misleading 404. Register after the contract's routes.
 */
export function rejectUndeclaredMethods(app: Express, contract: AppRouter): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routesOf(contract)) {
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    methodsByPath.set(route.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods].join(', ');
    app.all(path, (req, res) => sendMethodNotAllowed(req, res, allow));
  }
}
