import { retryAfterSeconds } from './retry-after.js';

const PASSING_STATUSES = new Set([429, 502, 503, 504]);

/** A network failure, or an answer outside the contract (a proxy's 502, say). */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  /** From the answer's `Retry-After`, in seconds, when it said. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    message: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
    options?: { cause?: unknown; retryAfterSeconds?: number | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** Whether the same request may well succeed later: no answer, a 429, 502, 503 or 504. */
  get passing(): boolean {
    return this.status === undefined || PASSING_STATUSES.has(this.status);
  }
}

/** An answer's status and the wait it asked for (seconds, read at `now`), as a SessionError. */
export function answeredError(
  message: string,
  reply: { status: number; headers: Headers },
  now: number,
): SessionError {
  return new SessionError(message, reply.status, {
    retryAfterSeconds: retryAfterSeconds(reply.headers.get('retry-after'), now),
  });
}

/** The answer, or a SessionError (no status) when none came: offline, refused, DNS. */
export async function reached<T>(
  request: () => Promise<T>,
  message = 'Could not reach the server',
): Promise<T> {
  try {
    return await request();
  } catch (cause) {
    throw new SessionError(message, undefined, { cause });
  }
}
