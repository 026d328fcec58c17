import type { ApiFetcher, ApiFetcherArgs } from '@ts-rest/core';
import { retryAfterMs } from './retry-after.js';
import { globalFetch, send, type FetchLike } from './transport.js';

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

/** Waits `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Options of {@link enclaveFetcher}. */
export interface FetcherOptions {
  /** Sent as `Authorization: Bearer …` when there is one. */
  token?: TokenSource | undefined;
  retry?: RetryOptions;
  /** Where requests go: the global fetch unless given (a session's caller may give its own). */
  fetch?: FetchLike;
  /** Waits before a retry (tests skip it). */
  wait?: Sleep;
}

// A 503 (the database away, the server starting or stopping) and a 429 (a rate limit) are
// passing states: the same request may succeed later. Only requests that cannot do harm when
// repeated are repeated: reads, writes conditioned on a version (a repeat finds the version
// moved and answers 412 instead of writing twice), and creates under an Idempotency-Key.
// Anything else (a sign-in, a refresh, whose token works once) is sent once.
const RETRIED_STATUSES = new Set([429, 503]);

const hasHeader = (headers: Record<string, string>, name: string) =>
  Object.keys(headers).some((key) => key.toLowerCase() === name);

function isSafeToRepeat({ method, headers }: ApiFetcherArgs): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  if (method === 'POST') return hasHeader(headers, 'idempotency-key');
  return hasHeader(headers, 'if-match');
}

/**
 * The one fetcher of the client, for ts-rest: createClient's and the session's requests go
 * through it. It sets the bearer token of each request from its source (a function is asked
 * every time, so a refreshed token is used at once) and retries what is safe to retry.
 */
export function enclaveFetcher({
  token,
  retry = {},
  fetch = globalFetch,
  wait = sleep,
}: FetcherOptions = {}): ApiFetcher {
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
      const answer = await send(fetch, request);
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
