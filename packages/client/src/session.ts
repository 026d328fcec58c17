import {
  accountRoutes,
  AccountSchema,
  ErrorBodySchema,
  type Account,
  TokenPairSchema,
  type ErrorBody,
  type TokenPair,
} from '@enclave/contract';
import { initClient, type ApiFetcher } from '@ts-rest/core';
import { decodeJwtPayload, tokenLifetimeSeconds } from './jwt-payload.js';
import { memoryStorage, underLock, type TokenStorage } from './token-storage.js';

export { decodeJwtPayload } from './jwt-payload.js';
export {
  memoryStorage,
  webStorage,
  type StorageEventTarget,
  type TokenStorage,
  type WebStorageLike,
} from './token-storage.js';

/** The part of `fetch` a session uses; `globalThis.fetch` and any wrapper of it fit. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** Where the API lives, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Where the refresh token is kept; in memory unless given (see `webStorage`). */
  storage?: TokenStorage;
  /** The fetch to call; the global one by default. */
  fetch?: FetchLike;
  /** Refresh an access token this many seconds before it expires (at most half its life). */
  refreshMarginSeconds?: number;
  /** The clock, in milliseconds (`Date.now` by default): tests move it instead of waiting. */
  now?: () => number;
  /** Waits `ms` between `restore()`'s tries (`setTimeout` by default): tests skip the wait. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Why a session is signed out: never signed in (`none`), signed out here (`signed-out`), the
 * refresh token refused (`expired`), the stored sign-in removed by another tab or process
 * (`signed-out-elsewhere`), or a restore that failed for a reason waiting would not fix
 * (`restore-failed`).
 */
export type SignedOutReason =
  'none' | 'signed-out' | 'expired' | 'signed-out-elsewhere' | 'restore-failed';

/**
 * Signed in as `userId`; restoring a kept sign-in (`error`: why the last try failed, while
 * waiting to try again); or signed out and why.
 */
export type SessionState =
  | { status: 'signed-in'; userId: string }
  | { status: 'restoring'; error?: SessionError }
  | { status: 'signed-out'; reason: SignedOutReason };

type Responses<Route extends { responses: object }> = keyof Route['responses'];
type Failure<Status> = {
  ok: false;
  status: Status;
  /** The API's error body; for a 400, `details` names each failing field. */
  error: ErrorBody;
  /** From `Retry-After` (a 429 or a 503), in seconds. */
  retryAfterSeconds: number | undefined;
};
type LoginFailure = Exclude<Responses<typeof accountRoutes.login>, 200>;
type RegisterFailure = Exclude<Responses<typeof accountRoutes.register>, 201>;
/** What sign-in answered: signed in, or one of the login route's declared errors. */
export type SignInResult = { ok: true; userId: string } | Failure<LoginFailure>;
/** What sign-up answered: signed in, or one of the register or login routes' declared errors. */
export type SignUpResult = SignInResult | Failure<RegisterFailure>;
/** What registering answered: the account made (not signed in), or a declared error. */
export type RegisterResult = { ok: true; account: Account } | Failure<RegisterFailure>;

const LOGIN_STATUSES = Object.keys(accountRoutes.login.responses).map(Number);
const REGISTER_STATUSES = Object.keys(accountRoutes.register.responses).map(Number);

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

const PASSING_STATUSES = new Set([429, 502, 503, 504]);

/** `Retry-After` in seconds (an HTTP date is read too); undefined when absent or unreadable. */
function retryAfterSecondsOf(headers: { get(name: string): string | null }, now: number) {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Waits between restore's tries: what `Retry-After` said (at most 30 s), else 1, 2, 4, 5, 5… s. */
function restoreDelayMs(attempt: number, error: SessionError): number {
  if (error.retryAfterSeconds !== undefined)
    return Math.min(error.retryAfterSeconds * 1000, 30_000);
  return Math.min(500 * 2 ** attempt, 5_000);
}

const isEmpty = (token: string | null | undefined): token is null | undefined | '' =>
  token === null || token === undefined || token === '';

interface AccessToken {
  token: string;
  /** When to stop using it and refresh: its life, counted from the request, less the margin. */
  refreshAt: number;
  /** When it stops working: it may still serve while a refresh is failing for a moment. */
  expiresAt: number;
}

const DEFAULT_MARGIN_SECONDS = 30;

/** The ts-rest fetcher over `fetch`, so requests go through the caller's (a test's, a proxy's). */
function fetcherOver(fetch: FetchLike): ApiFetcher {
  return async ({ path, method, headers, body }) => {
    const res = await fetch(path, {
      method,
      headers,
      body: typeof body === 'string' ? body : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text === '' ? undefined : text;
    if (text !== '' && /json/i.test(res.headers.get('content-type') ?? '')) {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        // Left as text: it is no error body, so the caller reports the status instead.
      }
    }
    return { status: res.status, body: parsed, headers: res.headers as unknown as Headers };
  };
}

/**
 * Signs in to the built-in accounts and keeps a fresh access token: `accessToken()` answers the
 * current one, refreshing it first when it is about to expire. Many callers waiting on one
 * refresh share it (single flight). The refresh token stays in `storage`; the access token only
 * in memory. Every method may be passed around unbound.
 */
export function createSession(options: SessionOptions) {
  const storage = options.storage ?? memoryStorage();
  const fetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const now = options.now ?? (() => Date.now());
  const marginMs = (options.refreshMarginSeconds ?? DEFAULT_MARGIN_SECONDS) * 1000;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const auth = initClient(accountRoutes, {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    api: fetcherOver(fetch),
    throwOnUnknownStatus: false,
  });

  let state: SessionState = { status: 'signed-out', reason: 'none' };
  let access: AccessToken | undefined;
  let refreshing: Promise<string | undefined> | undefined;
  let restoring: Promise<SessionState> | undefined;
  // Bumped by every sign-in and sign-out: a refresh begun before one must not undo it.
  let epoch = 0;
  const listeners = new Set<(state: SessionState) => void>();

  function setState(next: SessionState) {
    const same =
      next.status === 'signed-in'
        ? state.status === 'signed-in' && next.userId === state.userId
        : next.status === 'signed-out'
          ? state.status === 'signed-out' && next.reason === state.reason
          : state.status === 'restoring' && next.error === state.error;
    if (same) return;
    state = next;
    for (const listener of [...listeners]) listener(state);
  }

  /** Takes a new pair: the refresh token to storage, the access token to memory. */
  async function accept(pair: TokenPair, askedAt: number): Promise<string> {
    const claims = decodeJwtPayload(pair.access_token);
    const lifetimeMs = tokenLifetimeSeconds(claims, pair.expires_in) * 1000;
    await storage.set(pair.refresh_token);
    access = {
      token: pair.access_token,
      refreshAt: askedAt + lifetimeMs - Math.min(marginMs, lifetimeMs / 2),
      expiresAt: askedAt + lifetimeMs,
    };
    const userId = typeof claims?.sub === 'string' ? claims.sub : '';
    setState({ status: 'signed-in', userId });
    return pair.access_token;
  }

  async function signOutLocally(reason: Exclude<SignedOutReason, 'none'>) {
    access = undefined;
    await storage.remove();
    setState({ status: 'signed-out', reason });
  }

  // Another tab (or process) sharing the storage signed out: this session follows at once,
  // rather than at its next refresh. A token written there (a refresh, a sign-in) changes nothing.
  const unwatch = storage.watch?.((token) => {
    if (!isEmpty(token) || state.status === 'signed-out') return;
    epoch += 1;
    access = undefined;
    setState({ status: 'signed-out', reason: 'signed-out-elsewhere' });
  });

  /** A failure the contract declares, in the API's error format; anything else throws. */
  function failure<Status>(
    reply: { status: number; body: unknown; headers: Headers },
    declared: readonly number[],
  ): Failure<Status> {
    const error = ErrorBodySchema.safeParse(reply.body);
    if (!declared.includes(reply.status) || !error.success) {
      throw new SessionError(`The server answered ${reply.status}`, reply.status, {
        retryAfterSeconds: retryAfterSecondsOf(reply.headers, now()),
      });
    }
    const retryAfter = Number(reply.headers.get('retry-after') ?? Number.NaN);
    return {
      ok: false,
      status: reply.status as Status,
      error: error.data,
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
    };
  }

  /** The answer, or a SessionError (no status) when none came: offline, refused, DNS. */
  async function reached<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (cause) {
      throw new SessionError('Could not reach the server', undefined, { cause });
    }
  }

  async function signIn(email: string, password: string): Promise<SignInResult> {
    const askedAt = now();
    const reply = await reached(() => auth.login({ body: { email, password } }));
    if (reply.status !== 200) return failure<LoginFailure>(reply, LOGIN_STATUSES);
    const pair = TokenPairSchema.safeParse(reply.body);
    if (!pair.success) throw new SessionError('The sign-in answer is not a token pair', 200);
    epoch += 1;
    await accept(pair.data, askedAt);
    return { ok: true, userId: state.status === 'signed-in' ? state.userId : '' };
  }

  /** Creates an account without signing in (the user signs in next, say). */
  async function register(email: string, password: string): Promise<RegisterResult> {
    const reply = await reached(() => auth.register({ body: { email, password } }));
    if (reply.status !== 201) return failure<RegisterFailure>(reply, REGISTER_STATUSES);
    const account = AccountSchema.safeParse(reply.body);
    if (!account.success) throw new SessionError('The sign-up answer is not an account', 201);
    return { ok: true, account: account.data };
  }

  async function signUp(email: string, password: string): Promise<SignUpResult> {
    const registered = await register(email, password);
    if (!registered.ok) return registered;
    return signIn(email, password);
  }

  /** One refresh, under the storage's lock if shared; the result is undefined once signed out. */
  async function refreshNow(): Promise<string | undefined> {
    const startedIn = epoch;
    return underLock(storage.sharedAs, async () => {
      const refreshToken = await storage.get();
      if (isEmpty(refreshToken)) {
        if (startedIn === epoch) {
          access = undefined;
          // Not by this session (that would have moved the epoch): by another sharing the storage.
          if (state.status === 'signed-in') {
            setState({ status: 'signed-out', reason: 'signed-out-elsewhere' });
          }
        }
        return undefined;
      }
      const askedAt = now();
      let reply;
      try {
        reply = await auth.refresh({ body: { refresh_token: refreshToken } });
      } catch (cause) {
        throw new SessionError('Could not reach the server to refresh', undefined, { cause });
      }
      // Signed in or out meanwhile: that decision stands, and this answer is dropped.
      if (startedIn !== epoch) return access?.token;
      if (reply.status === 200) {
        const pair = TokenPairSchema.safeParse(reply.body);
        if (pair.success) return accept(pair.data, askedAt);
      }
      // Refused (unknown, expired, revoked or reused): only signing in again helps.
      if (reply.status === 401 || reply.status === 400) {
        await signOutLocally('expired');
        return undefined;
      }
      throw new SessionError(`Refresh answered ${reply.status}`, reply.status, {
        retryAfterSeconds: retryAfterSecondsOf(reply.headers, now()),
      });
    });
  }

  /**
   * Forces a refresh (e.g. after a 401), shared with any already under way. Rejects with a
   * `SessionError` when it fails for a passing reason: the current token was just refused, so
   * it is no answer.
   */
  function refresh(): Promise<string | undefined> {
    refreshing ??= refreshNow().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  /** The access token to send, refreshed first if it expires within the margin; none if signed
   * out. */
  async function accessToken(): Promise<string | undefined> {
    if (access !== undefined && now() < access.refreshAt) return access.token;
    try {
      return await refresh();
    } catch (error) {
      // A refresh failed (offline, a 503): the token serves until it expires.
      if (error instanceof SessionError && access !== undefined && now() < access.expiresAt) {
        return access.token;
      }
      throw error;
    }
  }

  /** Signs out here at once, then revokes the refresh token (and its sign-in) on the server. */
  async function signOut(): Promise<void> {
    epoch += 1;
    const refreshToken = await storage.get();
    await signOutLocally('signed-out');
    if (isEmpty(refreshToken)) return;
    try {
      await auth.logout({ body: { refresh_token: refreshToken } });
    } catch {
      // Offline: the token is gone from here, and expires on the server in its own time.
    }
  }

  /**
   * Signs out here only, saying why, without asking the server to revoke anything: another tab
   * signed out already, or the server refused even a fresh token.
   */
  async function signOutHere(reason: Exclude<SignedOutReason, 'none'> = 'signed-out') {
    epoch += 1;
    await signOutLocally(reason);
  }

  async function restoreNow(): Promise<SessionState> {
    if (state.status === 'signed-in') return state;
    const kept = storage.get();
    // Known at once (web storage): nothing kept means nothing to restore, without a flicker.
    if (!(kept instanceof Promise) && isEmpty(kept)) return state;
    // Not known yet: the refresh reads it again (under the lock), and says.
    if (kept instanceof Promise) kept.catch(() => undefined);
    const startedIn = epoch;
    setState({ status: 'restoring' });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await refresh();
        // Signed in, refused (signed out, 'expired'), or nothing was kept after all.
        if (state.status === 'restoring') setState({ status: 'signed-out', reason: 'none' });
        return state;
      } catch (error) {
        // Signed in or out meanwhile: that stands.
        if (startedIn !== epoch || state.status !== 'restoring') return state;
        if (!(error instanceof SessionError) || !error.passing) {
          await signOutLocally('restore-failed');
          return state;
        }
        setState({ status: 'restoring', error });
        await sleep(restoreDelayMs(attempt, error));
        if (startedIn !== epoch || state.status !== 'restoring') return state;
      }
    }
  }

  return {
    signIn,
    signUp,
    register,
    signOut,
    signOutLocally: signOutHere,
    accessToken,
    refresh,
    /**
     * Picks up a sign-in kept in `storage` (after a reload): `restoring` meanwhile, waiting out
     * an unreachable server (no answer, 429, 502–504: tried again after `Retry-After`, or 1, 2,
     * 4, then every 5 s); the state once that is known. A fault waiting will not fix (a 500)
     * signs out, reason `restore-failed`. Calls while one is under way share it.
     */
    restore: (): Promise<SessionState> => {
      restoring ??= restoreNow().finally(() => {
        restoring = undefined;
      });
      return restoring;
    },
    /** Stops following `storage`'s changes (another tab's sign-out); the session works on. */
    dispose: (): void => {
      unwatch?.();
    },
    /** The current state; the same object until it changes (fit for `useSyncExternalStore`). */
    getState: (): SessionState => state,
    /** Calls `listener` on every change of state; returns the unsubscribe function. */
    onChange: (listener: (state: SessionState) => void): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type Session = ReturnType<typeof createSession>;
