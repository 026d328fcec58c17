import { SessionError } from '@enclave/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { createApi, expectStatus } from './client';
import { errorBody, fakeServer } from './fake-server';

let server: ReturnType<typeof fakeServer>;

beforeEach(() => {
  server = fakeServer();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function setup() {
  // As the client's session does: the token it holds, until a forced refresh replaces it.
  let serial = 0;
  let current = 'held';
  const tokens = {
    accessToken: vi.fn((): Promise<string | undefined> => Promise.resolve(current)),
    refresh: vi.fn((): Promise<string | undefined> => {
      current = `fresh-${++serial}`;
      return Promise.resolve(current);
    }),
    signOutLocally: vi.fn(() => Promise.resolve()),
  };
  const api = createApi({ baseUrl: 'http://api.test/', userId: 'u', tokens });
  const list = () => api.call((client) => client.notes.list({ params: { user_id: 'u' } }));
  return { api, tokens, list };
}

const empty = { notes: [], count: 0, next_cursor: null };

describe('createApi', () => {
  it('sends the access token', async () => {
    const { list } = setup();
    server.reply({ status: 200, body: empty });
    expect((await list()).status).toBe(200);
    expect(server.sent[0]?.url.href).toBe('http://api.test/api/u/notes');
    expect(server.sent[0]?.headers.get('authorization')).toBe('Bearer held');
  });

  it('answers a 401 by trading the refresh token and repeating the call once', async () => {
    const { list, tokens } = setup();
    server.reply({ status: 401, body: errorBody(401, 'expired') }, { status: 200, body: empty });
    expect((await list()).status).toBe(200);
    expect(server.sent.map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer held',
      'Bearer fresh-1',
    ]);
    expect(tokens.refresh).toHaveBeenCalledTimes(1);
    expect(tokens.signOutLocally).not.toHaveBeenCalled();
  });

  it("leaves a password's 401 to the caller: not repeated (a second failed attempt), no sign-out", async () => {
    const { api, tokens } = setup();
    const checked = () =>
      api.call((client) => client.notes.list({ params: { user_id: 'u' } }), {
        checksPassword: true,
      });
    server.reply({ status: 401, body: errorBody(401, 'The password is incorrect') });
    expect((await checked()).status).toBe(401);
    expect(server.sent).toHaveLength(1);
    expect(tokens.refresh).not.toHaveBeenCalled();
    expect(tokens.signOutLocally).not.toHaveBeenCalled();

    // A refused token says so (WWW-Authenticate): refreshed and repeated as ever.
    server.reply(
      {
        status: 401,
        body: errorBody(401, 'expired'),
        headers: { 'www-authenticate': 'Bearer realm="enclave", error="invalid_token"' },
      },
      { status: 200, body: empty },
    );
    expect((await checked()).status).toBe(200);
    expect(tokens.refresh).toHaveBeenCalledTimes(1);
  });

  it('ends the session when even a fresh token is refused', async () => {
    const { list, tokens } = setup();
    server.reply(
      { status: 401, body: errorBody(401, 'no') },
      { status: 401, body: errorBody(401, 'still no') },
    );
    expect((await list()).status).toBe(401);
    expect(server.sent).toHaveLength(2);
    expect(tokens.signOutLocally).toHaveBeenCalledWith('expired');
  });

  it('turns "no answer" into an ApiError of status 0', async () => {
    const { list } = setup();
    server.reply('network-error');
    const failure = await list().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 0, kind: 'unavailable' });
  });

  it('refuses to send while signed out: a 401 ApiError, and no request', async () => {
    const { list, tokens } = setup();
    tokens.accessToken.mockResolvedValueOnce(undefined);
    const failure = await list().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 401, kind: 'unauthorized' });
    expect(server.sent).toHaveLength(0);
  });

  it("turns the session's SessionError into the ApiError it stands for", async () => {
    const { list, tokens } = setup();
    tokens.accessToken.mockRejectedValueOnce(new SessionError('no answer'));
    expect(await list().catch((error: unknown) => error)).toMatchObject({
      status: 0,
      kind: 'unavailable',
    });
    // A refresh after a 401 that finds the server down: retried later, not signed out.
    server.reply({ status: 401, body: errorBody(401, 'expired') });
    tokens.refresh.mockRejectedValueOnce(
      new SessionError('Refresh answered 503', 503, { retryAfterSeconds: 2 }),
    );
    expect(await list().catch((error: unknown) => error)).toMatchObject({
      status: 503,
      kind: 'unavailable',
      retryAfterMs: 2000,
    });
    expect(tokens.signOutLocally).not.toHaveBeenCalled();
    expect(server.sent).toHaveLength(1);
  });

  it('lets a cancelled request stay cancelled', async () => {
    const { api } = setup();
    const controller = new AbortController();
    controller.abort();
    const failure = await api
      .call((client) =>
        client.notes.list({
          params: { user_id: 'u' },
          fetchOptions: { signal: controller.signal },
        }),
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DOMException);
  });
});

describe('expectStatus', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    body,
    headers: new Headers(headers),
  });

  it('passes the expected statuses through', () => {
    const ok = answer(204, undefined);
    expect(expectStatus(ok, 204, 404)).toBe(ok);
  });

  it('throws the ApiError of any other, with its body and Retry-After', () => {
    const refused = answer(429, errorBody(429, 'slow down'), { 'retry-after': '3' });
    const thrown = (() => {
      try {
        expectStatus(refused, 200);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toMatchObject({
      status: 429,
      kind: 'throttled',
      retryAfterMs: 3000,
      message: 'slow down',
    });
  });
});
