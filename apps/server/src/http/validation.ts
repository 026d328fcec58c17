import type { ErrorDetail } from '@enclave/contract';
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

/** Turns ts-rest's validation failure into a 400 that lists every failing field. */
export function validationErrorHandler(
  error: RequestValidationError,
  _req: unknown,
  res: Response,
) {
  const details = [
    ...detailsOf('path', error.pathParams),
    ...detailsOf('query', error.query),
    ...detailsOf('headers', error.headers),
    ...detailsOf('body', error.body),
  ];
  const summary = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
  sendError(res, 400, `Invalid request: ${summary}`, details);
}
