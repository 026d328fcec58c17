import {
  createClient,
  errorBodyOf,
  retryAfterMs,
  type Change,
  type Client,
  type SubscribeOptions,
  type Subscription,
} from '@enclave/client';
import { ApiError } from './api-error';
import { asApiError } from './auth';

/** What every typed-client call resolves to. */
export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * Where access tokens come from: the typed client's session (`createSession` of
 * `@enclave/client`). Undefined: signed out. A SessionError: the server could not be reached.
 */
export interface TokenSource {
  /** A token valid for a while yet, refreshed first if due. */
  accessToken: () => Promise<string | undefined>;
  /** Trades the refresh token even if the access token looks valid (it was just refused). */
  refresh: () => Promise<string | undefined>;
  /** Ends the session here without asking the server: it refused even a fresh token. */
  signOutLocally: (reason: 'expired') => Promise<void>;
}

/** The typed client for one signed-in user, with the token handling done once, here. */
export interface Api {
  /** The signed-in user: the `user_id` of every resource path. */
  readonly userId: string;
  /**
   * Runs one typed-client call with a current access token. A 401 trades the refresh token
   * and repeats the call once: a token can expire between the check and the server (a slow
   * network, a wrong clock), and the user should not see that. No answer at all rejects with
   * an ApiError of status 0.
   */
  call<A extends Answer>(
    request: (client: Client) => Promise<A>,
    options?: CallOptions,
  ): Promise<A>;
  /**
   * GETs `path` with a current access token as a plain Response, for what the typed client
   * would parse into objects but the app wants as bytes (a download). The same 401 handling.
   */
  fetchRaw(path: string, init?: { signal?: AbortSignal }): Promise<Response>;
  /**
   * Follows the user's changes as they happen (the change stream), reconnecting by itself
   * with a current token, trading the refresh token when the server refuses the access token
   * (and signing out here when it refuses the fresh one too). `onOpen` hears where each
   * connection starts, `onStop` when it ended for good.
   */
  subscribe(onChange: (change: Change) => void, options?: LiveOptions): Subscription;
}

export type LiveOptions = Pick<SubscribeOptions, 'onOpen' | 'onStop'>;

export interface CallOptions {
  /**
   * The request proves a password (change it, delete the account): its 401 may be the
   * password's ("The password is incorrect"), which must not be sent twice (each counts as a
   * failed sign-in) nor end the session. Only a 401 that says the token was refused
   * (`WWW-Authenticate`) is refreshed and repeated.
   */
  checksPassword?: boolean;
}

export interface ApiOptions {
  baseUrl: string;
  userId: string;
  tokens: TokenSource;
}

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

const signedOut = () =>
  new ApiError(401, { error: 'Unauthorized', message: 'You are signed out.', status_code: 401 });

/** A token to send, or the ApiError that says why there is none (signed out, no answer). */
async function tokenFrom(get: () => Promise<string | undefined>): Promise<string> {
  let token: string | undefined;
  try {
    token = await get();
  } catch (error) {
    throw asApiError(error);
  }
  if (token === undefined) throw signedOut();
  return token;
}

export function createApi({ baseUrl, userId, tokens }: ApiOptions): Api {
  const client = createClient({
    baseUrl,
    // Asked before every request: the session answers its current token, refreshed if due.
    token: () => tokenFrom(tokens.accessToken),
    // TanStack Query retries, by the app's policy (api-error.ts): the app sees each 503 as it
    // comes, to show the banner, rather than after the client's own quiet retries.
    retry: false,
  });

  async function send<A extends Answer>(request: (client: Client) => Promise<A>): Promise<A> {
    try {
      return await request(client);
    } catch (error) {
      // Cancelled by TanStack Query, or the session's own verdict (signed out): as they are.
      if (isAbort(error) || error instanceof ApiError) throw error;
      throw new ApiError(0, undefined);
    }
  }

  async function once<A extends { status: number; headers: Headers }>(
    send: () => Promise<A>,
    { checksPassword = false }: CallOptions = {},
  ): Promise<A> {
    const answer = await send();
    if (answer.status !== 401) return answer;
    if (checksPassword && answer.headers.get('www-authenticate') === null) return answer;
    await tokenFrom(tokens.refresh);
    const retried = await send();
    if (retried.status === 401) await tokens.signOutLocally('expired');
    return retried;
  }

  const root = baseUrl.replace(/\/+$/, '');
  async function sendRaw(path: string, signal: AbortSignal | undefined): Promise<Response> {
    const token = await tokenFrom(tokens.accessToken);
    try {
      return await fetch(`${root}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError(0, undefined);
    }
  }

  return {
    userId,
    call: (request, options) => once(() => send(request), options),
    fetchRaw: (path, init = {}) => once(() => sendRaw(path, init.signal)),
    subscribe: (onChange, { onOpen, onStop } = {}) =>
      client.changes.subscribe(onChange, {
        userId,
        refreshToken: () => tokenFrom(tokens.refresh),
        ...(onOpen === undefined ? {} : { onOpen }),
        onStop: (reason, message) => {
          // As a call's second 401 does: even a fresh token is refused, so the session is over.
          if (reason === 'refused') void tokens.signOutLocally('expired');
          onStop?.(reason, message);
        },
      }),
  };
}

/**
 * The answer if its status is one of `expected`, narrowed to those; otherwise throws the
 * ApiError that describes it, for TanStack Query to hold as the query's or mutation's error.
 */
export function expectStatus<A extends Answer, S extends A['status']>(
  answer: A,
  ...expected: S[]
): Extract<A, { status: S }> {
  if ((expected as number[]).includes(answer.status)) return answer as Extract<A, { status: S }>;
  throw new ApiError(
    answer.status,
    errorBodyOf(answer.body),
    retryAfterMs(answer.headers.get('retry-after')),
  );
}
