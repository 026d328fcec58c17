import { contract, type Change } from '@enclave/contract';
import { initClient } from '@ts-rest/core';
import {
  subscribeToChanges,
  type StreamingFetch,
  type SubscribeOptions,
} from './change-subscription.js';
import { enclaveFetcher, type RetryOptions, type TokenSource } from './fetcher.js';

export { contract };
export type * from '@enclave/contract';
export {
  createOnce,
  ifChanged,
  ifUnchanged,
  newIdempotencyKey,
  versionOf,
  wasReplayed,
} from './conditions.js';
export type { StreamingFetch, SubscribeOptions, Subscription } from './change-subscription.js';
export { errorBodyOf } from './error-body.js';
export { eventStreamParser, type ServerSentEvent } from './event-stream.js';
export type { RetryOptions, TokenSource } from './fetcher.js';
export { decodeJwtPayload } from './jwt-payload.js';
export { retryAfterMs } from './retry-after.js';
export { createSession, type Session, type SessionOptions } from './session.js';
export { SessionError } from './session-error.js';
export type {
  ForgotPasswordFailure,
  MailResult,
  ResetPasswordFailure,
  SendVerificationFailure,
  VerifyEmailFailure,
} from './session-mail.js';
export type { RegisterResult, SignInResult, SignUpResult } from './session-results.js';
export type {
  AccountResult,
  ChangePasswordResult,
  DeleteAccountResult,
  EndAllSessionsResult,
  EndSessionResult,
  ExportResult,
  SessionsResult,
} from './session-account.js';
export type { SessionState, SignedOutReason } from './session-state.js';
export {
  memoryStorage,
  webStorage,
  type StorageEventTarget,
  type TokenStorage,
  type WebStorageLike,
} from './token-storage.js';
export type { FetchLike } from './transport.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where the API lives, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /**
   * The JWT sent as `Authorization: Bearer <token>`: a value, or a function asked before each
   * request (a session's `accessToken`, which refreshes it before it expires).
   */
  token?: TokenSource;
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
  /**
   * Retries of what is safe to repeat (GET, PUT/PATCH/DELETE with If-Match, POST with an
   * Idempotency-Key) answered 503 or 429, after `Retry-After`: 3 tries in all by default;
   * `false` for none.
   */
  retry?: RetryOptions | false;
  /** The fetch change subscriptions stream with (one whose answers have a body stream). */
  streamingFetch?: StreamingFetch;
}

interface RouteArgs {
  params?: Record<string, unknown>;
}
type RouteCall = (args?: RouteArgs) => unknown;

// ts-rest writes path parameters into the URL as they are: a user id holding `/`, `?`, `#` or
// `%` would address another route or break the URL, so each value is percent-encoded first.
function encodingPathParams<T extends object>(routes: T): T {
  return Object.fromEntries(
    Object.entries(routes).map(([key, value]) => {
      if (typeof value !== 'function') return [key, encodingPathParams(value as object)];
      const call = value as RouteCall;
      const encoded = (args?: RouteArgs) =>
        call(
          args?.params === undefined
            ? args
            : {
                ...args,
                params: Object.fromEntries(
                  Object.entries(args.params).map(([name, param]) => [
                    name,
                    encodeURIComponent(String(param)),
                  ]),
                ),
              },
        );
      return [key, encoded];
    }),
  ) as T;
}

/** A typed client of the whole API: `client.tasks.list({ params: { user_id } })`, and so on. */
export function createClient({
  baseUrl,
  token,
  headers = {},
  retry = {},
  streamingFetch = (url, init) => globalThis.fetch(url, init),
}: ClientOptions) {
  // Paths start with `/`; a trailing one here would make `//api/...`, which matches no route.
  const base = baseUrl.replace(/\/+$/, '');
  const routes = encodingPathParams(
    initClient(contract, {
      baseUrl: base,
      baseHeaders: headers,
      api: enclaveFetcher({ token, retry: retry === false ? { attempts: 1 } : retry }),
      throwOnUnknownStatus: false,
    }),
  );
  // The stream never ends by itself, so it is not a request/answer route: `subscribe` reads it.
  const { since } = routes.changes;
  const context = { baseUrl: base, token, headers, fetch: streamingFetch };
  return {
    ...routes,
    changes: {
      /** The user's changes after a cursor (`query.after`), a page at a time. */
      since,
      /**
       * Calls `onChange` with each of the user's changes as it happens, in write order,
       * reconnecting by itself; `options.after` resumes after a cursor (e.g. a sync page's).
       */
      subscribe: (onChange: (change: Change) => void, options: SubscribeOptions) =>
        subscribeToChanges(context, onChange, options),
    },
  };
}

export type Client = ReturnType<typeof createClient>;
