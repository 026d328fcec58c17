import { tsRestFetchApi, type ApiFetcher, type ApiFetcherArgs } from '@ts-rest/core';

/** A bearer token, or where to get the current one (e.g. a session's `accessToken`). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

/** When to try a request again. */
export interface RetryOptions {
  /** Tries in all, the first included: 3 unless given (1 never retries). */
  attempts?: number;
  /** The longest wait before a retry; a `Retry-After` beyond it is answered as it is. */
  maxDelayMs?: number;
  /** The wait before the first retry when the answer says none; doubled each time. */
  baseDelayMs?: number;
}

type Sleep = (ms: number) => Promise<void>;
const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A 503 (the database away, the server starting or stopping) and a 429 (a rate limit) are
// passing states: the same request may succeed later. Only requests that cannot do harm when
// repeated are repeated: reads, writes conditioned on a version (a repeat finds the version
// moved and answers 412 instead of writing twice), and creates under an Idempotency-Key.
const RETRIED_STATUSES = new Set([429, 503]);

const hasHeader = (headers: Record<string, string>, name: string) =>
  Object.keys(headers).some((key) => key.toLowerCase() === name);

function isSafeToRepeat({ method, headers }: ApiFetcherArgs): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  if (method === 'POST') return hasHeader(headers, 'idempotency-key');
  return hasHeader(headers, 'if-match');
}

/** Seconds (`Retry-After: 3`) or an HTTP date, as milliseconds from now; undefined if neither. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The fetcher createClient gives ts-rest: sets the bearer token of each request from its
 * source (a function is asked every time, so a refreshed token is used at once) and retries
 * what is safe to retry.
 */
export function enclaveFetcher(
  token: TokenSource | undefined,
  retry: RetryOptions = {},
  wait: Sleep = sleep,
): ApiFetcher {
  const attempts = Math.max(1, retry.attempts ?? 3);
  const maxDelayMs = retry.maxDelayMs ?? 10_000;
  const baseDelayMs = retry.baseDelayMs ?? 250;
  return async (args) => {
    const bearer = typeof token === 'function' ? await token() : token;
    // The token wins over an Authorization among the extra headers (ts-rest has merged them).
    const headers = Object.fromEntries(
      Object.entries(args.headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
    );
    const request =
      bearer === undefined
        ? args
        : { ...args, headers: { ...headers, authorization: `Bearer ${bearer}` } };
    const repeatable = isSafeToRepeat(request);
    for (let attempt = 1; ; attempt += 1) {
      const answer = await tsRestFetchApi(request);
      if (!repeatable || attempt >= attempts || !RETRIED_STATUSES.has(answer.status)) {
        return answer;
      }
      // As told, or backing off with jitter so that many clients do not return together.
      const told = retryAfterMs(answer.headers.get('retry-after'));
      const delay = told ?? baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      if (delay > maxDelayMs) return answer;
      await wait(delay);
    }
  };
}
