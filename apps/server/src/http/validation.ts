import { invalidRequestMessage, type ErrorDetail } from '@enclave/contract';
import type { RequestValidationError } from '@ts-rest/express';
import type { Response } from 'express';
import type { ZodError } from 'zod';
import { sendError } from './errors.js';

function detailsOf(where: string, error: ZodError | null): ErrorDetail[] {
  if (error === null) return [];
  return error.issues.map((issue) => ({
    path: [where, ...issue.path].join('.'),
    message: issue.message,
  }));
}

/** Where a request failed validation: each part's zod error, or null where it was fine. */
export type InvalidParts = Partial<Record<'path' | 'query' | 'headers' | 'body', ZodError | null>>;

/** A 400 that lists every failing field: `Invalid request: query.limit: ...` plus `details`. */
export function sendInvalidRequest(res: Response, parts: InvalidParts): void {
  const details = (['path', 'query', 'headers', 'body'] as const).flatMap((where) =>
    detailsOf(where, parts[where] ?? null),
  );
  sendError(res, 400, invalidRequestMessage(details), details);
}

/** Turns ts-rest's validation failure into a 400 that lists every failing field. */
export function validationErrorHandler(
  error: RequestValidationError,
  _req: unknown,
  res: Response,
) {
  sendInvalidRequest(res, {
    path: error.pathParams,
    query: error.query,
    headers: error.headers,
    body: error.body,
  });
}
