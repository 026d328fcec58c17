import { errorBody, type ErrorDetail, type ErrorStatus } from '@enclave/contract';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { DatabaseUnavailableError } from '../db/postgres/availability.js';

/** Answers with the API's error body. */
export function sendError(
  res: Response,
  status: ErrorStatus,
  message: string,
  details?: ErrorDetail[],
): void {
  res.status(status).json(errorBody(status, message, details));
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  sendError(res, 404, 'No such route');
};

export const BODY_TOO_LARGE = 'Request body is too large';

/** The `type` of the error json-body's UTF-8 check throws (body-parser keeps it). */
export const INVALID_UTF8 = 'entity.utf8.invalid';

// body-parser marks its own failures with a `type`; these are the client's fault.
const bodyParserErrors: Record<string, { status: ErrorStatus; message: string }> = {
  'entity.parse.failed': { status: 400, message: 'Request body is not valid JSON' },
  'entity.too.large': { status: 413, message: BODY_TOO_LARGE },
  [INVALID_UTF8]: { status: 400, message: 'Request body is not valid UTF-8' },
  'encoding.unsupported': { status: 400, message: 'Request body encoding is not supported' },
  'charset.unsupported': { status: 400, message: 'Request body charset must be utf-8' },
  'request.aborted': { status: 400, message: 'Request body was not received completely' },
  'request.size.invalid': {
    status: 400,
    message: 'Request body length does not match Content-Length',
  },
};

interface HttpishError {
  type?: unknown;
  status?: unknown;
}

function clientFault(error: unknown): { status: ErrorStatus; message: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status } = error as HttpishError;
  if (typeof type === 'string' && type in bodyParserErrors) return bodyParserErrors[type];
  // Express marks undecodable URLs (`/api/%E0%A4/tasks`) with status 400.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status: 400, message: 'Malformed request' };
  }
  return undefined;
}

/**
 * Seconds a client should wait before retrying a 503. Short: the server serves again with the
 * first request after its database returns.
 */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 1;

/** Answers 503 with `Retry-After`: the server is fine, what it needs is not there yet. */
export function sendUnavailable(res: Response, message: string): void {
  res.setHeader('Retry-After', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
  sendError(res, 503, message);
}

/**
 * The one last-resort handler: client faults keep their 4xx, an unavailable database is a 503
 * (logged once per incident where it is detected, not here), anything else is a bare 500.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof DatabaseUnavailableError) {
    sendUnavailable(res, 'The database is unavailable; try again shortly');
    return;
  }
  const fault = clientFault(error);
  if (fault !== undefined) {
    req.log.warn({ reason: fault.message }, 'rejected request');
    // Every 413 ends the connection (see body-size.ts), whichever check noticed the size.
    if (fault.status === 413) res.setHeader('Connection', 'close');
    sendError(res, fault.status, fault.message);
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  sendError(res, 500, 'An unexpected error occurred; it has been logged');
};
