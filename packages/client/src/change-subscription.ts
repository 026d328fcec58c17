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
 * again) is met by reconnecting with backoff from the last cursor delivered, so nothing is
 * missed or repeated.
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

  const tokenValue = async () =>
    typeof context.token === 'function' ? await context.token() : context.token;

  // One connection: resolves when it ends (the server's `end`, or the body closing).
  const connect = async (): Promise<'again' | 'stopped'> => {
    const token = await tokenValue();
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
      if (answer.status === 403 || (answer.status === 401 && typeof context.token !== 'function')) {
        options.onStop?.('refused', message);
        return 'stopped';
      }
      hint = retryAfterMs(answer.headers.get('retry-after'));
      throw new Error(`change stream answered ${answer.status}${message ? `: ${message}` : ''}`);
    }
    const decoder = new TextDecoder();
    const parser = eventStreamParser((event) => {
      if (event.retry !== undefined) hint = event.retry;
      if (event.event !== 'change' || stop.signal.aborted) return;
      const change = JSON.parse(event.data) as Change;
      cursor = event.id ?? change.cursor;
      failures = 0;
      onChange(change);
    });
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
        if ((await connect()) === 'stopped') return;
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
