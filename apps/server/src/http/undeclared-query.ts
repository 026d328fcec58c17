import type { IncomingMessage } from 'node:http';
import type { AppRoute } from '@ts-rest/core';
import type { NextFunction, Response } from 'express';
import { z } from 'zod';
import { sendInvalidRequest } from './validation.js';

// What a route with a strict query schema would answer for parameters it does not know.
const NO_PARAMETERS = z.object({}).strict();

// Typed by what it uses, so it fits ts-rest's typed requests of every route.
type Routed = IncomingMessage & { query: unknown; tsRestRoute: AppRoute };

/**
 * A ts-rest global middleware: a route that declares no query parameters refuses any, with
 * the same 400 a strict query schema gives (ts-rest would otherwise ignore them). ts-rest sets
 * `req.tsRestRoute` before global middleware runs.
 */
export function rejectUndeclaredQuery(req: Routed, res: Response, next: NextFunction): void {
  const undeclared = req.tsRestRoute.query === undefined || req.tsRestRoute.query === null;
  // Most requests carry no query at all: only then is the schema's answer worth building.
  if (undeclared && Object.keys(req.query as object).length > 0) {
    const checked = NO_PARAMETERS.safeParse(req.query);
    if (!checked.success) {
      sendInvalidRequest(res, { query: checked.error });
      return;
    }
  }
  next();
}
