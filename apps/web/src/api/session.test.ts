import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { errorBody, fakeServer, tokenFor } from './fake-server';
import { createSession, refreshMargin, tokenClaims, type RefreshTokenStore } from './session';

const ACCOUNT = { email: 'ann@example.com', password: 'correct horse battery staple' };
const pair = (serial: number, expiresIn = 900) => ({
  status: 200,
  body: {
    access_token: tokenFor('user-ann', serial),
    refresh_token: `refresh-${serial}`,
    token_type: 'Bearer',
    expires_in: expiresIn,
  },
});

function memoryStore(initial: string | null = null): RefreshTokenStore & { value: string | null } {
  return {
    value: initial,
    read() {
      return this.value;
    },
    write(token) {
      this.value = token;
    },
    clear() {
      this.value = null;
    },
  };
}

let server: ReturnType<typeof fakeServer>;
let now: number;

beforeEach(() => {
  server = fakeServer();
  now = 1_000_000;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function session(
  store = memoryStore(),
  options: { exclusive?: <T>(t: () => Promise<T>) => Promise<T> } = {},
) {
  const sleep = vi.fn(() => Promise.resolve());
  const onAnswer = vi.fn();
  const made = createSession({
    baseUrl: 'http://api.test',
    store,
    now: () => now,
    sleep,
    onAnswer,
    ...options,
  });
  return { session: made, store, sleep, onAnswer };
}

describe('tokenClaims and refreshMargin', () => {
  it('reads a JWT payload without checking it, and nothing from garbage', () => {
    expect(tokenClaims(tokenFor('user-ann', 3))).toEqual({ sub: 'user-ann', serial: 3 });
    expect(tokenClaims('not a token')).toEqual({});
    expect(tokenClaims('a.%%%.c')).toEqual({});
  });

  it('refreshes half a minute early, or halfway through a short-lived token', () => {
    expect(refreshMargin(900_000)).toBe(30_000);
    expect(refreshMargin(40_000)).toBe(20_000);
  });
});

describe('createSession', () => {
  it('starts signed out without a stored refresh token, restoring with one', () => {
    expect(session().session.state()).toEqual({ status: 'signed-out' });
    expect(session(memoryStore('refresh-0')).session.state()).toEqual({ status: 'restoring' });
  });

  it('signs in: the user id from the token, the refresh token stored, listeners told', async () => {
    const { session: s, store } = session();
    const listener = vi.fn();
    s.subscribe(listener);
    server.reply(pair(1));
    await s.signIn(ACCOUNT);
    expect(server.sent[0]).toMatchObject({ method: 'POST', body: ACCOUNT });
    expect(server.sent[0]?.url.pathname).toBe('/auth/login');
    expect(s.state()).toEqual({ status: 'signed-in', userId: 'user-ann' });
    expect(store.value).toBe('refresh-1');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(await s.accessToken()).toBe(tokenFor('user-ann', 1));
    expect(server.sent).toHaveLength(1);
  });

  it('refuses a wrong password with the API error, staying signed out', async () => {
    const { session: s } = session();
    server.reply({ status: 401, body: errorBody(401, 'Email or password is incorrect') });
    await expect(s.signIn(ACCOUNT)).rejects.toMatchObject({
      status: 401,
      message: 'Email or password is incorrect',
    });
    expect(s.state()).toEqual({ status: 'signed-out' });
  });

  it('trades the refresh token once the access token is due, one request for many callers', async () => {
    const { session: s, store } = session();
    server.reply(pair(1, 60));
    await s.signIn(ACCOUNT);
    now += 29_000;
    expect(await s.accessToken()).toBe(tokenFor('user-ann', 1));
    now += 2_000; // 31 s of 60: within the margin
    server.reply(pair(2, 60));
    const tokens = await Promise.all([s.accessToken(), s.accessToken(), s.accessToken()]);
    expect(tokens).toEqual(Array(3).fill(tokenFor('user-ann', 2)));
    expect(server.sent.map(({ url }) => url.pathname)).toEqual(['/auth/login', '/auth/refresh']);
    expect(server.sent[1]?.body).toEqual({ refresh_token: 'refresh-1' });
    expect(store.value).toBe('refresh-2');
  });

  it('refreshes when forced, under the exclusive lock, with the newest stored token', async () => {
    let locked = 0;
    const exclusive = <T>(task: () => Promise<T>) => {
      locked += 1;
      return task();
    };
    const { session: s, store } = session(memoryStore(), { exclusive });
    server.reply(pair(1));
    await s.signIn(ACCOUNT);
    store.value = 'refresh-from-another-tab';
    server.reply(pair(2));
    expect(await s.accessToken({ force: true })).toBe(tokenFor('user-ann', 2));
    expect(locked).toBe(1);
    expect(server.sent[1]?.body).toEqual({ refresh_token: 'refresh-from-another-tab' });
  });

  it('ends the session when the refresh token is refused, saying why', async () => {
    const { session: s, store } = session(memoryStore('refresh-0'));
    server.reply({ status: 401, body: errorBody(401, 'revoked') });
    const failure = await s.accessToken().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 401 });
    expect(s.state()).toEqual({
      status: 'signed-out',
      reason: 'Your session has ended. Please sign in again.',
    });
    expect(store.value).toBeNull();
    await expect(s.accessToken()).rejects.toMatchObject({ status: 401 });
    expect(server.sent).toHaveLength(1);
  });

  it('keeps the refresh token through an outage: restore waits and tries again', async () => {
    const { session: s, store, sleep, onAnswer } = session(memoryStore('refresh-0'));
    server.reply(
      { status: 503, body: errorBody(503, 'down'), headers: { 'retry-after': '1' } },
      'network-error',
      pair(1),
    );
    await s.restore();
    expect(s.state()).toEqual({ status: 'signed-in', userId: 'user-ann' });
    // Retry-After said 1 s; then backing off (500 ms × 2²) without one.
    expect(sleep.mock.calls).toEqual([[1000], [2000]]);
    expect(store.value).toBe('refresh-1');
    expect(onAnswer.mock.calls).toEqual([[503], [0], [200]]);
  });

  it('gives up restoring on a fault that waiting will not fix', async () => {
    const { session: s, store } = session(memoryStore('refresh-0'));
    server.reply({ status: 500, body: errorBody(500, 'bug') });
    await s.restore();
    expect(s.state()).toEqual({
      status: 'signed-out',
      reason: 'Your session could not be restored.',
    });
    expect(store.value).toBeNull();
  });

  it('signs out here at once, then revokes the refresh token on the server', async () => {
    const { session: s, store } = session();
    server.reply(pair(1));
    await s.signIn(ACCOUNT);
    server.reply('network-error');
    await s.signOut();
    expect(s.state()).toEqual({ status: 'signed-out' });
    expect(store.value).toBeNull();
    expect(server.sent[1]).toMatchObject({ method: 'POST', body: { refresh_token: 'refresh-1' } });
    expect(server.sent[1]?.url.pathname).toBe('/auth/logout');
  });

  it('registers without signing in', async () => {
    const { session: s } = session();
    const account = {
      id: 'user-ann',
      email: ACCOUNT.email,
      created_at: '2026-01-15T09:30:00.000Z',
    };
    server.reply({ status: 201, body: account });
    expect(await s.register(ACCOUNT)).toEqual(account);
    expect(s.state()).toEqual({ status: 'signed-out' });
  });
});
