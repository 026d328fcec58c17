// The session against the real server (built-in accounts on): every sign-in, refresh and
// sign-out below is a real request, counted through the session's own `fetch` option.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import {
  createSession,
  decodeJwtPayload,
  memoryStorage,
  SessionError,
  webStorage,
  type FetchLike,
  type SessionOptions,
  type SessionState,
  type StorageEventTarget,
  type TokenStorage,
} from './index.js';

const TTL_SECONDS = 900;
const PASSWORD = 'correct horse battery staple';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ accounts: { accessTokenTtlSeconds: TTL_SECONDS } });
});

afterAll(async () => {
  await server?.close();
});

const newEmail = () => `session-${randomUUID()}@example.com`;

/** A session on the test server with a clock the test moves, counting its requests by path. */
function harnessed(overrides: Partial<SessionOptions> & { on?: TestServer } = {}) {
  const { on = server, ...options } = overrides;
  const requests: string[] = [];
  let failNext: ((path: string) => Response | Error | undefined) | undefined;
  const fetch: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    requests.push(path);
    const injected = failNext?.(path);
    if (injected instanceof Error) throw injected;
    if (injected !== undefined) return injected;
    return globalThis.fetch(url, init);
  };
  const clock = { ms: Date.now() };
  const storage = options.storage ?? memoryStorage();
  // restore()'s waits, recorded and skipped.
  const slept: number[] = [];
  const session = createSession({
    baseUrl: on.baseUrl,
    fetch,
    storage,
    now: () => clock.ms,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    ...options,
  });
  const states: SessionState[] = [];
  session.onChange((state) => states.push(state));
  return {
    session,
    storage,
    states,
    clock,
    slept,
    refreshes: () => requests.filter((path) => path === '/auth/refresh').length,
    requests,
    /** Makes requests to `path` answer what `answer` gives, until cleared. */
    failing: (answer: typeof failNext) => {
      failNext = answer;
    },
  };
}

async function signedUp(h = harnessed()) {
  const email = newEmail();
  const result = await h.session.signUp(email, PASSWORD);
  if (!result.ok) throw new Error(`sign-up answered ${result.status}`);
  return { ...h, email, userId: result.userId };
}

/** What the server says of a token: the account's id, or the status refusing it. */
async function whoIs(token: string | undefined, on = server) {
  const res = await on.fetch('/auth/me', {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { id?: string };
  return res.status === 200 ? body.id : res.status;
}

describe('the account through the session', () => {
  it('changes the password, lists the sessions and signs out everywhere, with its own token', async () => {
    const h = await signedUp();
    const wrong = await h.session.changePassword('not the password', 'a brand new passphrase');
    expect(wrong).toMatchObject({ ok: false, status: 401, error: { status_code: 401 } });
    expect(await h.session.changePassword(PASSWORD, 'a brand new passphrase')).toEqual({
      ok: true,
    });
    const listed = await h.session.sessions();
    expect(listed.ok && listed.value.map(({ current }) => current)).toEqual([true]);
    const token = await h.session.accessToken();
    expect(await h.session.signOutEverywhere()).toEqual({ ok: true });
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(await whoIs(token)).toBe(401);
  });

  it('deletes the account and is signed out after', async () => {
    const h = await signedUp();
    const refused = await h.session.deleteAccount('not the password');
    expect(refused).toMatchObject({ ok: false, status: 401 });
    expect(h.session.getState().status).toBe('signed-in');
    expect(await h.session.deleteAccount(PASSWORD)).toEqual({ ok: true });
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
    const again = await h.session.signIn(h.email, PASSWORD);
    expect(again).toMatchObject({ ok: false, status: 401 });
  });
});

async function refreshAnswer(refreshToken: string) {
  const res = await server.fetch('/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Moves the clock to `seconds` before the access token's end (it was issued at `start`). */
const beforeExpiry = (h: { clock: { ms: number } }, start: number, seconds: number) => {
  h.clock.ms = start + (TTL_SECONDS - seconds) * 1000;
};

describe('signing up and in', () => {
  it('signs up, signs in, and answers a token the server takes for that account', async () => {
    const h = harnessed();
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'none' });
    const email = newEmail();
    const result = await h.session.signUp(email, PASSWORD);
    expect(result).toEqual({ ok: true, userId: expect.any(String) as string });
    const userId = result.ok ? result.userId : '';
    expect(h.session.getState()).toEqual({ status: 'signed-in', userId });
    expect(h.states).toEqual([{ status: 'signed-in', userId }]);
    expect(await whoIs(await h.session.accessToken())).toBe(userId);
    expect(await h.storage.get()).toMatch(/^\S{20,}$/);

    // A second session (another device) signs in to the same account.
    const other = harnessed();
    expect(await other.session.signIn(email.toUpperCase(), PASSWORD)).toEqual({ ok: true, userId });
    expect(await whoIs(await other.session.accessToken())).toBe(userId);
  });

  it('answers the declared errors typed by status, with the fields named', async () => {
    const { session, email } = await signedUp();
    const fresh = harnessed().session;
    const taken = await fresh.signUp(email, 'another long password');
    expect(taken).toMatchObject({
      ok: false,
      status: 409,
      error: { status_code: 409, details: [{ path: 'body.email' }] },
    });
    const short = await fresh.signUp(newEmail(), 'short');
    expect(short).toMatchObject({ ok: false, status: 400, error: { status_code: 400 } });
    if (!short.ok) expect(short.error.details?.map(({ path }) => path)).toEqual(['body.password']);
    const wrong = await fresh.signIn(email, 'not the password at all');
    expect(wrong).toMatchObject({ ok: false, status: 401, retryAfterSeconds: undefined });
    expect(fresh.getState()).toEqual({ status: 'signed-out', reason: 'none' });
    expect(await fresh.accessToken()).toBeUndefined();
    expect(session.getState().status).toBe('signed-in');
  });

  it('registers without signing in, answering the account or the declared errors', async () => {
    const h = harnessed();
    const email = newEmail();
    const made = await h.session.register(email, PASSWORD);
    expect(made).toEqual({
      ok: true,
      account: {
        id: expect.any(String) as string,
        email,
        email_verified: false,
        created_at: expect.any(String) as string,
      },
    });
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'none' });
    expect(h.states).toEqual([]);
    expect(await h.storage.get()).toBeUndefined();
    expect(h.requests).toEqual(['/auth/register']);
    expect(await h.session.register(email, PASSWORD)).toMatchObject({ ok: false, status: 409 });
    // Then the user signs in with the same details.
    const signedIn = await h.session.signIn(email, PASSWORD);
    expect(signedIn).toEqual({ ok: true, userId: made.ok ? made.account.id : '' });
  });

  it("reads a declared failure's Retry-After as the client does: seconds, or a date by its clock", async () => {
    const h = harnessed();
    const throttled = (retryAfter: string) => () =>
      Response.json(
        { error: 'Too Many Requests', message: 'slow down', status_code: 429 },
        { status: 429, headers: { 'retry-after': retryAfter } },
      );
    h.failing(throttled('3'));
    expect(await h.session.signIn(newEmail(), PASSWORD)).toMatchObject({
      ok: false,
      status: 429,
      retryAfterSeconds: 3,
    });
    h.failing(throttled(new Date(h.clock.ms + 4_500).toUTCString()));
    const dated = await h.session.signIn(newEmail(), PASSWORD);
    // An HTTP date has whole seconds: 4 or 5 s after the session's clock, never a wait of 0.
    expect(dated).toMatchObject({ ok: false, status: 429 });
    expect(dated.ok ? undefined : dated.retryAfterSeconds).toBeOneOf([4, 5]);
    h.failing(throttled('soon'));
    expect(await h.session.signIn(newEmail(), PASSWORD)).toMatchObject({
      status: 429,
      retryAfterSeconds: undefined,
    });
  });

  it('throws a SessionError for an answer outside the contract, such as a proxy 502', async () => {
    const h = harnessed();
    h.failing(() => new Response('<html>Bad Gateway</html>', { status: 502 }));
    const attempt = h.session.signIn(newEmail(), PASSWORD);
    await expect(attempt).rejects.toBeInstanceOf(SessionError);
    await expect(attempt).rejects.toMatchObject({ status: 502 });
    // No answer at all: a SessionError without a status, the fetch's error as its cause.
    const offline = new TypeError('fetch failed');
    h.failing(() => offline);
    for (const attempted of [
      h.session.signIn(newEmail(), PASSWORD),
      h.session.signUp(newEmail(), PASSWORD),
      h.session.register(newEmail(), PASSWORD),
    ]) {
      await expect(attempted).rejects.toMatchObject({
        name: 'SessionError',
        status: undefined,
        passing: true,
        cause: offline,
      });
    }
  });
});

describe('accessToken()', () => {
  it('answers the same token without a request while it is fresh', async () => {
    const h = await signedUp();
    const start = h.clock.ms;
    const first = await h.session.accessToken();
    beforeExpiry(h, start, 31);
    expect(await h.session.accessToken()).toBe(first);
    expect(h.refreshes()).toBe(0);
  });

  it('refreshes within 30 s of expiry, rotating the refresh token, then rests again', async () => {
    const h = await signedUp();
    const start = h.clock.ms;
    const spent = await h.storage.get();
    beforeExpiry(h, start, 29);
    const token = await h.session.accessToken();
    expect(h.refreshes()).toBe(1);
    expect(await whoIs(token)).toBe(h.userId);
    const rotated = await h.storage.get();
    expect(rotated).not.toBe(spent);
    expect(await h.session.accessToken()).toBe(token);
    expect(h.refreshes()).toBe(1);
    // The state did not change, so no listener heard about the refresh.
    expect(h.states).toEqual([{ status: 'signed-in', userId: h.userId }]);
    // The spent token is refused (and presenting it revokes the sign-in: checked last).
    expect(await refreshAnswer(spent!)).toBe(401);
  });

  it('replaces a token that really expired, on a server issuing 2-second tokens', async () => {
    const brief = await startTestServer({
      db: server.db,
      accounts: { accessTokenTtlSeconds: 2 },
    });
    try {
      const h = await signedUp(harnessed({ on: brief, now: () => Date.now() }));
      const first = await h.session.accessToken();
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect(await whoIs(first, brief)).toBe(401);
      const next = await h.session.accessToken();
      expect(next).not.toBe(first);
      expect(await whoIs(next, brief)).toBe(h.userId);
      expect(h.refreshes()).toBe(1);
    } finally {
      await brief.close();
    }
  });

  it('makes one refresh request for many callers waiting at once (single flight)', async () => {
    const h = await signedUp();
    beforeExpiry(h, h.clock.ms, 10);
    const tokens = await Promise.all([
      ...Array.from({ length: 25 }, () => h.session.accessToken()),
      h.session.refresh(),
    ]);
    expect(h.refreshes()).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(await whoIs(tokens[0])).toBe(h.userId);
    // Once settled, a forced refresh is a new request.
    await h.session.refresh();
    expect(h.refreshes()).toBe(2);
  });

  it('keeps the session through a failed refresh while the token still works', async () => {
    const h = await signedUp();
    const start = h.clock.ms;
    const token = await h.session.accessToken();
    beforeExpiry(h, start, 20);
    h.failing((path) => (path === '/auth/refresh' ? new TypeError('fetch failed') : undefined));
    expect(await h.session.accessToken()).toBe(token);
    h.failing((path) =>
      path === '/auth/refresh'
        ? Response.json({ error: 'x', message: 'down', status_code: 503 }, { status: 503 })
        : undefined,
    );
    expect(await h.session.accessToken()).toBe(token);
    // Expired and still failing: there is no token to give, and the caller hears why.
    beforeExpiry(h, start, -1);
    await expect(h.session.accessToken()).rejects.toMatchObject({
      name: 'SessionError',
      status: 503,
    });
    expect(h.session.getState()).toEqual({ status: 'signed-in', userId: h.userId });
    h.failing(undefined);
    expect(await whoIs(await h.session.accessToken())).toBe(h.userId);
  });
  it('lets a forced refresh reject on a passing failure, since the token was just refused', async () => {
    const h = await signedUp();
    const token = await h.session.accessToken();
    h.failing((path) =>
      path === '/auth/refresh'
        ? Response.json(
            { error: 'x', message: 'down', status_code: 503 },
            { status: 503, headers: { 'retry-after': '7' } },
          )
        : undefined,
    );
    const forced = h.session.refresh();
    await expect(forced).rejects.toBeInstanceOf(SessionError);
    await expect(forced).rejects.toMatchObject({
      status: 503,
      retryAfterSeconds: 7,
      passing: true,
    });
    // Asked for a token, not a refresh: the current one still serves.
    beforeExpiry(h, h.clock.ms, 10);
    expect(await h.session.accessToken()).toBe(token);
    expect(h.session.getState()).toEqual({ status: 'signed-in', userId: h.userId });
  });
});

describe('signing out', () => {
  it('signs out here and on the server, telling listeners', async () => {
    const h = await signedUp();
    const refreshToken = await h.storage.get();
    await h.session.signOut();
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(h.states.at(-1)).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(await h.storage.get()).toBeUndefined();
    expect(await h.session.accessToken()).toBeUndefined();
    expect(h.refreshes()).toBe(0);
    expect(h.requests.at(-1)).toBe('/auth/logout');
    expect(await refreshAnswer(refreshToken!)).toBe(401);
  });

  it('is signed out, reason "expired", when the server refuses the refresh', async () => {
    const h = await signedUp();
    // Signed out elsewhere (another device's sign-out of this sign-in, an admin, expiry).
    const logout = await server.fetch('/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: await h.storage.get() }),
    });
    expect(logout.status).toBe(204);
    beforeExpiry(h, h.clock.ms, 5);
    const waiting = await Promise.all([h.session.accessToken(), h.session.accessToken()]);
    expect(waiting).toEqual([undefined, undefined]);
    expect(h.refreshes()).toBe(1);
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(h.states.at(-1)).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(await h.storage.get()).toBeUndefined();
  });

  it('stays signed out when the sign-out lands during a refresh', async () => {
    const h = await signedUp();
    beforeExpiry(h, h.clock.ms, 5);
    const refreshing = h.session.accessToken();
    await h.session.signOut();
    await refreshing.catch(() => undefined);
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(await h.storage.get()).toBeUndefined();
    expect(await h.session.accessToken()).toBeUndefined();
  });

  it('signs out here only, with a reason, without a request to the server', async () => {
    const h = await signedUp();
    const refreshToken = await h.storage.get();
    const sent = h.requests.length;
    await h.session.signOutLocally('expired');
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(h.states.at(-1)).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(await h.storage.get()).toBeUndefined();
    expect(await h.session.accessToken()).toBeUndefined();
    expect(h.requests.length).toBe(sent);
    // Not revoked: the sign-in is only forgotten here.
    expect(await refreshAnswer(refreshToken!)).toBe(200);
  });

  it('is signed out, reason "signed-out-elsewhere", when the kept token is gone at refresh', async () => {
    const storage = memoryStorage();
    const h = await signedUp(harnessed({ storage }));
    await storage.remove(); // another session sharing the storage signed out
    beforeExpiry(h, h.clock.ms, 5);
    expect(await h.session.accessToken()).toBeUndefined();
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out-elsewhere' });
    expect(h.refreshes()).toBe(0);
  });

  it('stops listeners that unsubscribed', async () => {
    const h = await signedUp();
    const heard: SessionState[] = [];
    const stop = h.session.onChange((state) => heard.push(state));
    stop();
    await h.session.signOut();
    expect(heard).toEqual([]);
  });
});

describe('storage', () => {
  it('lets a new session (a reload) pick up the sign-in kept in storage', async () => {
    const storage = memoryStorage();
    const first = await signedUp(harnessed({ storage }));
    const reloaded = harnessed({ storage });
    expect(reloaded.session.getState()).toEqual({ status: 'signed-out', reason: 'none' });
    expect(await reloaded.session.restore()).toEqual({
      status: 'signed-in',
      userId: first.userId,
    });
    expect(reloaded.refreshes()).toBe(1);
    expect(await whoIs(await reloaded.session.accessToken())).toBe(first.userId);
    // Nothing kept: restoring is a no-op without a request.
    const empty = harnessed();
    expect(await empty.session.restore()).toEqual({ status: 'signed-out', reason: 'none' });
    expect(empty.requests).toEqual([]);
  });

  it('is "restoring" while it restores, then signed in, or signed out when refused', async () => {
    const storage = memoryStorage();
    const first = await signedUp(harnessed({ storage }));
    const reloaded = harnessed({ storage });
    const restored = reloaded.session.restore();
    expect(reloaded.session.getState()).toEqual({ status: 'restoring' });
    // Asked again meanwhile: the same restore.
    expect(reloaded.session.restore()).toBe(restored);
    expect(await restored).toEqual({ status: 'signed-in', userId: first.userId });
    expect(reloaded.states).toEqual([
      { status: 'restoring' },
      { status: 'signed-in', userId: first.userId },
    ]);
    expect(reloaded.refreshes()).toBe(1);
    // Already signed in: nothing to do.
    expect(await reloaded.session.restore()).toEqual({ status: 'signed-in', userId: first.userId });
    expect(reloaded.refreshes()).toBe(1);

    // A refresh token the server refuses (revoked by signing out elsewhere).
    await reloaded.session.signOut();
    await storage.set('no-such-refresh-token-at-all');
    const refused = harnessed({ storage });
    expect(await refused.session.restore()).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(await storage.get()).toBeUndefined();
  });

  it('waits out an unreachable server while restoring, then signs in', async () => {
    const storage = memoryStorage();
    const first = await signedUp(harnessed({ storage }));
    const reloaded = harnessed({ storage });
    const outage = [
      Response.json(
        { error: 'Service Unavailable', message: 'down', status_code: 503 },
        { status: 503, headers: { 'retry-after': '1' } },
      ),
      new TypeError('fetch failed'),
      new Response('<html>Bad Gateway</html>', { status: 502 }),
    ];
    reloaded.failing((path) => (path === '/auth/refresh' ? outage.shift() : undefined));
    expect(await reloaded.session.restore()).toEqual({
      status: 'signed-in',
      userId: first.userId,
    });
    expect(reloaded.refreshes()).toBe(4);
    // Retry-After said 1 s; then backing off from 2 s without one.
    expect(reloaded.slept).toEqual([1000, 2000, 4000]);
    expect(reloaded.states.map((state) => state.status)).toEqual([
      'restoring',
      'restoring',
      'restoring',
      'restoring',
      'signed-in',
    ]);
    // While it waits, the state says why (a UI shows "the server is unavailable").
    const errors = reloaded.states.map((state) =>
      state.status === 'restoring' ? state.error : undefined,
    );
    expect(errors[0]).toBeUndefined();
    expect(errors[1]).toMatchObject({ name: 'SessionError', status: 503, retryAfterSeconds: 1 });
    expect(errors[2]).toMatchObject({ name: 'SessionError', status: undefined, passing: true });
    expect(errors[3]).toMatchObject({ name: 'SessionError', status: 502 });
    expect(await whoIs(await reloaded.session.accessToken())).toBe(first.userId);
  });

  it('gives up restoring on a fault that waiting will not fix, or when signed out meanwhile', async () => {
    const storage = memoryStorage();
    await signedUp(harnessed({ storage }));
    const kept = await storage.get();
    const broken = harnessed({ storage });
    broken.failing((path) =>
      path === '/auth/refresh'
        ? Response.json({ error: 'x', message: 'bug', status_code: 500 }, { status: 500 })
        : undefined,
    );
    expect(await broken.session.restore()).toEqual({
      status: 'signed-out',
      reason: 'restore-failed',
    });
    expect(broken.slept).toEqual([]);
    expect(await storage.get()).toBeUndefined();

    // Signed out by the user while waiting for the server: that stands, and no more tries.
    await storage.set(kept!);
    const waiting = harnessed({ storage });
    let tries = 0;
    waiting.failing((path) => {
      if (path !== '/auth/refresh') return undefined;
      tries += 1;
      if (tries === 2) void waiting.session.signOut();
      return new TypeError('fetch failed');
    });
    expect(await waiting.session.restore()).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(tries).toBe(2);
    expect(await storage.get()).toBeUndefined();
  });

  it('follows a sign-out in another tab through the storage event, without a request', async () => {
    const items = new Map<string, string>();
    const local = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    type Heard = (event: { key: string | null; newValue: string | null }) => void;
    const listeners = new Set<Heard>();
    const page: StorageEventTarget = {
      addEventListener: (_type, listener) => void listeners.add(listener),
      removeEventListener: (_type, listener) => void listeners.delete(listener),
    };
    const otherTab = (key: string | null, newValue: string | null) => {
      if (key === null) items.clear();
      else if (newValue === null) items.delete(key);
      else items.set(key, newValue);
      for (const listener of [...listeners]) listener({ key, newValue });
    };
    const h = await signedUp(harnessed({ storage: webStorage(local, 'app.session', page) }));
    expect(listeners.size).toBe(1);
    const sent = h.requests.length;
    // Another key, or a refresh there (a new token): nothing changes here.
    otherTab('something.else', null);
    otherTab('app.session', 'rotated-by-the-other-tab');
    expect(h.session.getState()).toEqual({ status: 'signed-in', userId: h.userId });
    otherTab('app.session', null);
    expect(h.session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out-elsewhere' });
    expect(h.states.at(-1)).toEqual({ status: 'signed-out', reason: 'signed-out-elsewhere' });
    expect(await h.session.accessToken()).toBeUndefined();
    expect(h.requests.length).toBe(sent);

    // `localStorage.clear()` there (a null key) signs out too.
    const again = await signedUp(harnessed({ storage: webStorage(local, 'app.session', page) }));
    otherTab(null, null);
    expect(again.session.getState()).toEqual({
      status: 'signed-out',
      reason: 'signed-out-elsewhere',
    });
    h.session.dispose();
    again.session.dispose();
    expect(listeners.size).toBe(0);
  });

  it('keeps the refresh token in web storage by key, refreshing under a Web Lock', async () => {
    const items = new Map<string, string>();
    const local = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    const storage: TokenStorage = webStorage(local, 'app.session');
    const locked: string[] = [];
    vi.stubGlobal('navigator', {
      locks: {
        request: <T>(name: string, task: () => Promise<T>) => {
          locked.push(name);
          return task();
        },
      },
    });
    try {
      const h = await signedUp(harnessed({ storage }));
      expect([...items.keys()]).toEqual(['app.session']);
      beforeExpiry(h, h.clock.ms, 5);
      await h.session.accessToken();
      expect(locked).toEqual(['enclave-refresh:app.session']);
      await h.session.signOut();
      expect(items.size).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('decodeJwtPayload', () => {
  const base64url = (binary: string) =>
    btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const encode = (value: unknown) =>
    base64url(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))));

  it('reads base64url claims, UTF-8 included, without verifying', () => {
    const claims = { sub: 'zoë/ü?', exp: 1_900_000_000, iat: 1_899_999_100, x: '>>>???' };
    const payload = encode(claims);
    // The claims were chosen so the payload uses both of base64url's own characters.
    expect(payload).toMatch(/-/);
    expect(payload).toMatch(/_/);
    expect(decodeJwtPayload(`${encode({ alg: 'HS256' })}.${payload}.sig`)).toEqual(claims);
  });

  it.each([
    ['no payload', 'abc'],
    ['not base64url', 'a.b+c/d.e'],
    ['not JSON', `x.${base64url('not json')}.y`],
    ['not an object', `x.${encode([1, 2])}.y`],
    ['invalid UTF-8', `x.${base64url('"\xff\xfe"')}.y`],
  ])('answers undefined for %s', (_why, token) => {
    expect(decodeJwtPayload(token)).toBeUndefined();
  });
});
