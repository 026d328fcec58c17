import {
  createClient,
  type Account,
  type LoginBody,
  type RegisterBody,
  type TokenPair,
} from '@enclave/client';
import { ApiError, asErrorBody, isTransient, retryAfterMs, retryDelay } from './api-error';
import type { Answer, TokenSource } from './client';

// The signed-in state of one browser tab: the access token lives in memory only, the refresh
// token in a store the caller chooses (localStorage in the app: see README.md for what that
// costs). A local stand-in for the typed client's createSession (packages/client), written to
// the same shape so the app can switch to it.

export type SessionState =
  | { status: 'restoring' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; userId: string };

/** Keeps the refresh token between page loads. */
export interface RefreshTokenStore {
  read(): string | null;
  write(token: string): void;
  clear(): void;
}

export interface SessionOptions {
  baseUrl: string;
  store: RefreshTokenStore;
  /**
   * Runs a refresh so that no other tab refreshes at the same time. A refresh token works
   * once: two tabs trading the same one would look like a stolen token to the server, which
   * then revokes the whole sign-in. Inside, the store is read again, so each tab trades the
   * newest token. Browsers: the Web Locks API (see main.tsx).
   */
  exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
  /** Told the status of every answer, 0 for none (the unavailable banner). */
  onAnswer?: (status: number) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

// Functions rather than methods: React and the API layer take them detached from the object.
export interface Session extends TokenSource {
  state: () => SessionState;
  /** Calls `listener` after every change of state; returns the unsubscribe. */
  subscribe: (listener: () => void) => () => void;
  /** Creates an account; does not sign in (the user does, with the same details). */
  register: (body: RegisterBody) => Promise<Account>;
  signIn: (body: LoginBody) => Promise<void>;
  /** Forgets the tokens here at once, then revokes the sign-in on the server (best effort). */
  signOut: () => Promise<void>;
  /** On page load: signs in again with the stored refresh token, waiting out an outage. */
  restore: () => Promise<void>;
}

interface AccessToken {
  token: string;
  userId: string;
  /** When to stop using it (by this tab's clock): some time before it expires. */
  refreshAt: number;
}

/** The claims of a JWT, read without checking its signature (the server checks it). */
export function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * When to refresh a token that lives `lifetimeMs`: half a minute early (the request may be slow,
 * clocks differ), but never sooner than halfway through a short-lived one.
 */
export function refreshMargin(lifetimeMs: number): number {
  return Math.min(30_000, lifetimeMs / 2);
}

const failure = (answer: Answer) =>
  new ApiError(
    answer.status,
    asErrorBody(answer.body),
    retryAfterMs(answer.headers.get('retry-after')),
  );

export function createSession({
  baseUrl,
  store,
  exclusive = (task) => task(),
  onAnswer,
  now = () => Date.now(),
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: SessionOptions): Session {
  // Not retried by the client: a refresh token works once, and an outage is restore()'s to wait out.
  const auth = createClient({ baseUrl, retry: false }).auth;
  let state: SessionState =
    store.read() === null ? { status: 'signed-out' } : { status: 'restoring' };
  let access: AccessToken | undefined;
  let refreshing: Promise<string> | undefined;
  const listeners = new Set<() => void>();

  const setState = (next: SessionState) => {
    state = next;
    for (const listener of listeners) listener();
  };

  // Every auth request goes through here, so "no answer" becomes an ApiError like the rest.
  async function send<A extends Answer>(request: () => Promise<A>): Promise<A> {
    try {
      const answer = await request();
      onAnswer?.(answer.status);
      return answer;
    } catch {
      onAnswer?.(0);
      throw new ApiError(0, undefined);
    }
  }

  function accept(pair: TokenPair): string {
    const userId = tokenClaims(pair.access_token).sub;
    if (typeof userId !== 'string') throw new ApiError(500, undefined);
    const lifetime = pair.expires_in * 1000;
    access = {
      token: pair.access_token,
      userId,
      refreshAt: now() + lifetime - refreshMargin(lifetime),
    };
    store.write(pair.refresh_token);
    if (state.status !== 'signed-in' || state.userId !== userId) {
      setState({ status: 'signed-in', userId });
    }
    return pair.access_token;
  }

  function end(reason?: string) {
    access = undefined;
    store.clear();
    setState(reason === undefined ? { status: 'signed-out' } : { status: 'signed-out', reason });
  }

  const expired = (reason: string) => {
    end(reason);
    return new ApiError(401, {
      error: 'Unauthorized',
      message: reason,
      status_code: 401,
    });
  };

  function refresh(): Promise<string> {
    refreshing ??= exclusive(async () => {
      const stored = store.read();
      if (stored === null) throw expired('You were signed out in another tab.');
      const answer = await send(() => auth.refresh({ body: { refresh_token: stored } }));
      if (answer.status === 200) return accept(answer.body);
      if (answer.status === 401 || answer.status === 400) {
        throw expired('Your session has ended. Please sign in again.');
      }
      throw failure(answer);
    }).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  return {
    state: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async accessToken({ force = false } = {}) {
      if (state.status === 'signed-out') throw expired(state.reason ?? 'You are signed out.');
      if (!force && access !== undefined && now() < access.refreshAt) return access.token;
      return refresh();
    },

    end,

    async register(body) {
      const answer = await send(() => auth.register({ body }));
      if (answer.status === 201) return answer.body;
      throw failure(answer);
    },

    async signIn(body) {
      const answer = await send(() => auth.login({ body }));
      if (answer.status !== 200) throw failure(answer);
      accept(answer.body);
    },

    async signOut() {
      const stored = store.read();
      end();
      if (stored === null) return;
      try {
        await send(() => auth.logout({ body: { refresh_token: stored } }));
      } catch {
        // Signed out here already; the token expires on the server by itself if it was down.
      }
    },

    async restore() {
      for (let attempt = 1; state.status === 'restoring'; attempt += 1) {
        try {
          await refresh();
        } catch (error) {
          // Signed out already (the token was refused), or a fault that waiting will not fix.
          if (!isTransient(error)) {
            if (state.status === 'restoring') end('Your session could not be restored.');
            return;
          }
          await sleep(retryDelay(attempt, error));
        }
      }
    },
  };
}
