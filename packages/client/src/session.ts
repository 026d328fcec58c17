import { accountRoutes, AccountSchema, TokenPairSchema, type TokenPair } from '@enclave/contract';
import { initClient } from '@ts-rest/core';
import { accessTokenOf, type AccessToken } from './access-token.js';
import { enclaveFetcher, sleep, type Sleep } from './fetcher.js';
import { accountActions } from './session-account.js';
import { answeredError, reached, SessionError } from './session-error.js';
import { accountMailCalls } from './session-mail.js';
import {
  declaredFailure,
  LOGIN_STATUSES,
  REGISTER_STATUSES,
  type LoginFailure,
  type RegisterFailure,
  type RegisterResult,
  type SignInResult,
  type SignUpResult,
} from './session-results.js';
import { restoreSession } from './session-restore.js';
import { stateStore, type SessionState, type SignedOutReason } from './session-state.js';
import { isEmptyToken, memoryStorage, underLock, type TokenStorage } from './token-storage.js';
import type { FetchLike } from './transport.js';

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
  sleep?: Sleep;
}

const DEFAULT_MARGIN_SECONDS = 30;

/**
 * Signs in to the built-in accounts and keeps a fresh access token: `accessToken()` answers the
 * current one, refreshing it first when it is about to expire. Many callers waiting on one
 * refresh share it (single flight). The refresh token stays in `storage`; the access token only
 * in memory. Every method may be passed around unbound.
 */
export function createSession(options: SessionOptions) {
  const storage = options.storage ?? memoryStorage();
  const now = options.now ?? (() => Date.now());
  const marginMs = (options.refreshMarginSeconds ?? DEFAULT_MARGIN_SECONDS) * 1000;
  const wait = options.sleep ?? sleep;
  // The client's own fetcher: sign-in, refresh and sign-out are POSTs without an
  // Idempotency-Key, so it sends each once; restore() does its own waiting.
  const auth = initClient(accountRoutes, {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    api: enclaveFetcher({ fetch: options.fetch }),
    throwOnUnknownStatus: false,
  });

  const states = stateStore();
  let access: AccessToken | undefined;
  let refreshing: Promise<string | undefined> | undefined;
  let restoring: Promise<SessionState> | undefined;
  // Bumped by every sign-in and sign-out: a refresh begun before one must not undo it.
  let epoch = 0;

  /** Takes a new pair: the refresh token to storage, the access token to memory. */
  async function accept(pair: TokenPair, askedAt: number): Promise<string> {
    const next = accessTokenOf(pair, askedAt, marginMs);
    await storage.set(pair.refresh_token);
    access = next;
    states.set({ status: 'signed-in', userId: next.userId });
    return next.token;
  }

  async function signOutLocally(reason: Exclude<SignedOutReason, 'none'>) {
    access = undefined;
    await storage.remove();
    states.set({ status: 'signed-out', reason });
  }

  // Another tab (or process) sharing the storage signed out: this session follows at once,
  // rather than at its next refresh. A token written there (a refresh, a sign-in) changes nothing.
  const unwatch = storage.watch?.((token) => {
    if (!isEmptyToken(token) || states.get().status === 'signed-out') return;
    epoch += 1;
    access = undefined;
    states.set({ status: 'signed-out', reason: 'signed-out-elsewhere' });
  });

  async function signIn(email: string, password: string): Promise<SignInResult> {
    const askedAt = now();
    const reply = await reached(() => auth.login({ body: { email, password } }));
    if (reply.status !== 200) return declaredFailure<LoginFailure>(reply, LOGIN_STATUSES, now());
    const pair = TokenPairSchema.safeParse(reply.body);
    if (!pair.success) throw new SessionError('The sign-in answer is not a token pair', 200);
    epoch += 1;
    await accept(pair.data, askedAt);
    const state = states.get();
    return { ok: true, userId: state.status === 'signed-in' ? state.userId : '' };
  }

  /** Creates an account without signing in (the user signs in next, say). */
  async function register(email: string, password: string): Promise<RegisterResult> {
    const reply = await reached(() => auth.register({ body: { email, password } }));
    if (reply.status !== 201) {
      return declaredFailure<RegisterFailure>(reply, REGISTER_STATUSES, now());
    }
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
      if (isEmptyToken(refreshToken)) {
        if (startedIn === epoch) {
          access = undefined;
          // Not by this session (that would have moved the epoch): by another sharing the storage.
          if (states.get().status === 'signed-in') {
            states.set({ status: 'signed-out', reason: 'signed-out-elsewhere' });
          }
        }
        return undefined;
      }
      const askedAt = now();
      const reply = await reached(
        () => auth.refresh({ body: { refresh_token: refreshToken } }),
        'Could not reach the server to refresh',
      );
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
      throw answeredError(`Refresh answered ${reply.status}`, reply, now());
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
    if (isEmptyToken(refreshToken)) return;
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

  const mail = accountMailCalls({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: options.fetch,
    accessToken,
    now,
  });

  // Signed out by the server (everywhere, or the account deleted): nothing left to revoke.
  const account = accountActions({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    accessToken,
    userId: () => {
      const state = states.get();
      return state.status === 'signed-in' ? state.userId : undefined;
    },
    signedOut: () => signOutHere('signed-out'),
    now,
  });

  return {
    ...account,
    signIn,
    signUp,
    register,
    ...mail,
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
      restoring ??= restoreSession({
        states,
        storage,
        epoch: () => epoch,
        refresh,
        signOutLocally,
        sleep: wait,
      }).finally(() => {
        restoring = undefined;
      });
      return restoring;
    },
    /** Stops following `storage`'s changes (another tab's sign-out); the session works on. */
    dispose: (): void => {
      unwatch?.();
    },
    /** The current state; the same object until it changes (fit for `useSyncExternalStore`). */
    getState: states.get,
    /** Calls `listener` on every change of state; returns the unsubscribe function. */
    onChange: states.onChange,
  };
}

export type Session = ReturnType<typeof createSession>;
