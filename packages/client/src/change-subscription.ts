import type { Change } from '@enclave/contract';
import { errorBodyOf } from './error-body.js';
import { eventStreamParser } from './event-stream.js';
import type { TokenSource } from './fetcher.js';
import { retryAfterMs } from './retry-after.js';

/** The fetch a subscription streams with: the global one, or any that gives a body stream. */
export type StreamingFetch = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}>;

/** Options of `client.changes.subscribe`. */
export interface SubscribeOptions {
  /** Whose changes: the token's user. */
  userId: string;
  /** Start after this cursor (a sync page's `next_cursor`); from now when absent. */
  after?: string;
  /**
   * Called when the subscription ends by itself: the cursor is too old (`gone`) or not one of
   * this user's (`invalid_cursor`), either way re-read your lists and subscribe again without
   * one; or the server refused the token or the user (`refused`).
   */
  onStop?: (reason: 'gone' | 'invalid_cursor' | 'refused', message: string) => void;
  /**
   * Called as each connection opens, with the cursor it follows from. A subscription started
   * without `after` follows from the moment its first connection opened: anything read before
   * (a list loaded at start-up) may lack a change made just before, so read it again then.
   */
  onOpen?: (cursor: string) => void;
  /**
   * Asked for a new token when the server refused the current one (401: it expired, or was
   * revoked): the subscription reconnects with it at once, and stops (`refused`) if that is
   * refused too. Without it, a 401 with a token function is retried after the backoff, the
   * function asked again; with a fixed token, it stops.
   */
  refreshToken?: () => Promise<string | undefined> | string | undefined;
  /** Called when a connection is lost or refused for a moment; the subscription retries. */
  onRetry?: (error: unknown, delayMs: number) => void;
  /** The first wait before reconnecting, doubled on each failure in a row up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** An open subscription. */
export interface Subscription {
  /** The cursor of the last change delivered (where a reconnect resumes). */
  readonly cursor: string | undefined;
  /** Stops it: no callback is called after this returns. */
  unsubscribe(): void;
}

interface SubscriptionContext {
  baseUrl: string;
  token: TokenSource | undefined;
  headers: Record<string, string>;
  fetch: StreamingFetch;
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Follows the user's change stream: each change to `onChange`, in write order, exactly once.
 * A lost connection, a server restarting or an expired token (a token function is asked
 * again; a refused one is traded by `refreshToken`) is met by reconnecting with backoff from
 * the last cursor the server named (a change's, or the position a connection opened at), so
 * nothing is missed or repeated, even across a drop before the first change.
 */
export function subscribeToChanges(
  context: SubscriptionContext,
  onChange: (change: Change) => void,
  options: SubscribeOptions,
): Subscription {
  const stop = new AbortController();
  let cursor = options.after;
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const url = `${context.baseUrl}/api/${encodeURIComponent(options.userId)}/changes/stream`;
  let failures = 0;
  let hint: number | undefined;
  // A token just traded for one the server refused: the next connection sends it, and a
  // refusal of that one is final.
  let refreshed: { token: string | undefined } | undefined;

  const tokenValue = async () =>
    typeof context.token === 'function' ? await context.token() : context.token;

  // One connection: resolves when it ends (the server's `end`, or the body closing), or at
  // once with 'now' when it should be made again without waiting (a token was refreshed).
  const connect = async (): Promise<'again' | 'now' | 'stopped'> => {
    const retrying = refreshed;
    refreshed = undefined;
    const token = retrying === undefined ? await tokenValue() : retrying.token;
    const headers: Record<string, string> = {
      ...context.headers,
      Accept: 'text/event-stream',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(cursor === undefined ? {} : { 'Last-Event-ID': cursor }),
    };
    const answer = await context.fetch(url, { headers, signal: stop.signal });
    if (answer.status !== 200 || answer.body === null) {
      const message = errorBodyOf(parsed(await answer.text().catch(() => '')))?.message ?? '';
      if (answer.status === 410 || answer.status === 400) {
        options.onStop?.(answer.status === 410 ? 'gone' : 'invalid_cursor', message);
        return 'stopped';
      }
      const refresh = options.refreshToken;
      if (answer.status === 401 && refresh !== undefined && retrying === undefined) {
        // A failure to refresh (no answer) throws: retried after the backoff like any other.
        refreshed = { token: await refresh() };
        return 'now';
      }
      const final =
        answer.status === 403 ||
        (answer.status === 401 && (typeof context.token !== 'function' || refresh !== undefined));
      if (final) {
        options.onStop?.('refused', message);
        return 'stopped';
      }
      hint = retryAfterMs(answer.headers.get('retry-after'));
      throw new Error(`change stream answered ${answer.status}${message ? `: ${message}` : ''}`);
    }
    const decoder = new TextDecoder();
    const parser = eventStreamParser(
      (event) => {
        if (event.retry !== undefined) hint = event.retry;
        if (event.event !== 'change' || stop.signal.aborted) return;
        const change = JSON.parse(event.data) as Change;
        cursor = event.id ?? change.cursor;
        failures = 0;
        onChange(change);
      },
      // The stream opens with the cursor it follows from.
      (id) => {
        cursor = id;
        if (!stop.signal.aborted) options.onOpen?.(id);
      },
    );
    const reader = answer.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        failures = 0;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      reader.releaseLock();
    }
    return 'again';
  };

  void (async () => {
    while (!stop.signal.aborted) {
      let delay: number;
      try {
        const ended = await connect();
        if (ended === 'stopped') return;
        if (ended === 'now') continue;
        delay = hint ?? minDelay;
      } catch (error) {
        if (stop.signal.aborted) return;
        delay = hint ?? Math.min(maxDelay, minDelay * 2 ** failures);
        failures += 1;
        options.onRetry?.(error, delay);
      }
      hint = undefined;
      // Jitter, so many clients cut off together do not all come back at one instant.
      await wait(delay * (0.75 + Math.random() / 2), stop.signal);
    }
  })();

  return {
    get cursor() {
      return cursor;
    },
    unsubscribe: () => stop.abort(),
  };
}
