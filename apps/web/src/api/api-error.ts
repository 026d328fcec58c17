import type { ErrorBody } from '@enclave/client';
import { humanMessage, type FieldTexts } from './field-messages';

/** What the app does about a failed request; every screen decides from this, not from codes. */
export type ErrorKind =
  /** 400, 409 or 422 naming fields: show each message beside its field. */
  | 'invalid'
  /** 412: someone changed the item since it was read; offer a reload. */
  | 'changed-elsewhere'
  /** 503, 502, 504 or no answer at all: the banner shows, and the request is retried. */
  | 'unavailable'
  /** 429: too fast; retried after Retry-After. */
  | 'throttled'
  /** 401: the session is over. */
  | 'unauthorized'
  /** 403 or 404: not there, or not the user's, which the app cannot tell apart (by design). */
  | 'not-found'
  /** Anything else: say what the server said. */
  | 'failed';

/** A request that did not get the answer it hoped for, with what the server said. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** The HTTP status, or 0 when no answer arrived (offline, connection refused). */
    readonly status: number,
    /** The body in the API's error format, when the answer had one. */
    readonly body: ErrorBody | undefined,
    /** Milliseconds the server asked the client to wait (Retry-After), if it said. */
    readonly retryAfterMs: number | undefined = undefined,
  ) {
    super(body?.message ?? (status === 0 ? 'The server could not be reached' : `HTTP ${status}`));
  }

  get kind(): ErrorKind {
    return kindOf(this.status, this.body);
  }
}

function kindOf(status: number, body: ErrorBody | undefined): ErrorKind {
  if (status === 0 || status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status === 412) return 'changed-elsewhere';
  if (status === 429) return 'throttled';
  if (status === 401) return 'unauthorized';
  if (status === 403 || status === 404) return 'not-found';
  // A 409 is "taken" (projects' unique name) only when it names the field; an Idempotency-Key
  // still in flight is a 409 without details, and is an ordinary failure here.
  if ((status === 400 || status === 409 || status === 422) && (body?.details?.length ?? 0) > 0) {
    return 'invalid';
  }
  return 'failed';
}

/** Field messages keyed by the form field they belong to: `body.title` → `title`. */
export type FieldErrors = Partial<Record<string, string>>;

/**
 * The messages of an error that name body fields, one per field (the first, as the server
 * lists them in the order it checked), as `texts` says them to a person (field-messages.ts).
 * Query and path problems are not a form's to show.
 */
export function fieldErrors(error: unknown, texts: FieldTexts = {}): FieldErrors {
  if (!(error instanceof ApiError) || error.kind !== 'invalid') return {};
  const fields: FieldErrors = {};
  for (const { path, message } of error.body?.details ?? []) {
    const [where, field] = path.split('.');
    if (where !== 'body' || field === undefined || fields[field] !== undefined) continue;
    fields[field] = humanMessage(texts[field], field, message, error.status);
  }
  return fields;
}

/**
 * The message a form shows above its fields: none when every problem sits beside a field of
 * the form (`shown` lists them), else the server's own message, else a generic one.
 */
export function formError(error: unknown, shown: readonly string[] = []): string | undefined {
  if (error === null || error === undefined) return undefined;
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  const fields = Object.keys(fieldErrors(error));
  if (fields.length > 0 && fields.every((field) => shown.includes(field))) return undefined;
  switch (error.kind) {
    case 'unavailable':
      return 'The server is unavailable right now. Please try again in a moment.';
    case 'throttled':
      return 'Too many requests. Please wait a moment and try again.';
    case 'changed-elsewhere':
      return 'Changed elsewhere: this item was edited in another tab or device.';
    case 'not-found':
      return 'Not found: it may have been deleted.';
    default:
      return error.message;
  }
}

/** Whether a failed request is worth repeating unchanged: the server may answer next time. */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.kind === 'unavailable' || error.kind === 'throttled');
}

/**
 * TanStack Query's `retry` for reads: transient failures are retried for as long as the
 * screen wants the data, so an outage ends by itself; anything else is final at once.
 */
export function retryRead(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.kind === 'throttled') return failureCount < 5;
  return isTransient(error);
}

/** `retry` for writes: a few times, since each is safe to repeat (If-Match, Idempotency-Key). */
export function retryWrite(failureCount: number, error: unknown): boolean {
  return isTransient(error) && failureCount < 4;
}

/** `retryDelay`: what Retry-After said, else backing off from 0.5 s to at most 5 s. */
export function retryDelay(failureCount: number, error: unknown): number {
  const asked = error instanceof ApiError ? error.retryAfterMs : undefined;
  if (asked !== undefined) return Math.min(asked, 30_000);
  return Math.min(500 * 2 ** failureCount, 5_000);
}
