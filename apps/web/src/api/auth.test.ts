import { createSession } from '@enclave/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { signIn, signUp } from './auth';
import { errorBody, fakeServer, tokenFor } from './fake-server';

// The screens' sign-up and sign-in over the client's session: its answers as ApiErrors.
// (The session itself is tested against the real server in packages/client.)

const ACCOUNT = { email: 'ann@example.com', password: 'correct horse battery staple' };

let server: ReturnType<typeof fakeServer>;

beforeEach(() => {
  server = fakeServer();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const session = () => createSession({ baseUrl: 'http://api.test' });

describe('signUp', () => {
  it('creates the account and signs in with it', async () => {
    const s = session();
    const account = {
      id: 'user-ann',
      email: ACCOUNT.email,
      email_verified: false,
      created_at: '2026-01-15T09:30:00.000Z',
    };
    server.reply(
      { status: 201, body: account },
      {
        status: 200,
        body: {
          access_token: tokenFor('user-ann'),
          refresh_token: 'refresh-1',
          token_type: 'Bearer',
          expires_in: 900,
        },
      },
    );
    await signUp(s, ACCOUNT);
    expect(server.sent.map(({ url }) => url.pathname)).toEqual(['/auth/register', '/auth/login']);
    expect(s.getState()).toEqual({ status: 'signed-in', userId: 'user-ann' });
  });

  it('rejects with the field errors of a 409 or a 400, staying signed out', async () => {
    const s = session();
    server.reply({
      status: 409,
      body: errorBody(409, 'taken', [{ path: 'body.email', message: 'Already registered' }]),
    });
    const failure = await signUp(s, ACCOUNT).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 409, kind: 'invalid' });
    expect(server.sent).toHaveLength(1);
    expect(s.getState()).toEqual({ status: 'signed-out', reason: 'none' });
  });
});

describe('signIn', () => {
  it('signs in', async () => {
    const s = session();
    server.reply({
      status: 200,
      body: {
        access_token: tokenFor('user-ann'),
        refresh_token: 'refresh-1',
        token_type: 'Bearer',
        expires_in: 900,
      },
    });
    await signIn(s, ACCOUNT);
    expect(s.getState()).toEqual({ status: 'signed-in', userId: 'user-ann' });
  });

  it('rejects a wrong password with the API error, staying signed out', async () => {
    const s = session();
    server.reply({ status: 401, body: errorBody(401, 'Email or password is incorrect') });
    await expect(signIn(s, ACCOUNT)).rejects.toMatchObject({
      status: 401,
      message: 'Email or password is incorrect',
    });
    expect(s.getState()).toEqual({ status: 'signed-out', reason: 'none' });
  });

  it('answers no answer, or a 429, as an ApiError to retry', async () => {
    server.reply('network-error');
    await expect(signIn(session(), ACCOUNT)).rejects.toMatchObject({
      status: 0,
      kind: 'unavailable',
    });
    server.reply({
      status: 429,
      body: errorBody(429, 'slow down'),
      headers: { 'retry-after': '3' },
    });
    await expect(signIn(session(), ACCOUNT)).rejects.toMatchObject({
      status: 429,
      kind: 'throttled',
      retryAfterMs: 3000,
    });
  });
});
