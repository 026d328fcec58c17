import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import type { TokenVerdict } from './claims.js';
import { cachingVerifier, type TokenCacheOptions } from './token-cache.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const NOW = 1_800_000_000_000;

function tokenFor(sub: string, claims: Record<string, number> = {}): string {
  return jwt.sign({ sub, iat: NOW / 1000, exp: NOW / 1000 + 900, ...claims }, SECRET);
}

/** A verifier that counts its calls and answers what `answer` says for each token. */
function countingVerifier(answer: (token: string) => TokenVerdict) {
  const calls: string[] = [];
  const verify = (token: string) => {
    calls.push(token);
    return Promise.resolve(answer(token));
  };
  return { verify, calls };
}

const accept = (token: string): TokenVerdict => {
  const { sub } = jwt.decode(token) as { sub: string };
  return { ok: true, userId: sub };
};

function cacheWith(
  options: Partial<TokenCacheOptions> & { clock: { now: number } },
  answer: (token: string) => TokenVerdict = accept,
) {
  const counted = countingVerifier(answer);
  const verify = cachingVerifier(counted.verify, {
    maxEntries: 100,
    maxAgeMs: 60_000,
    clockToleranceSeconds: 0,
    now: () => options.clock.now,
    ...options,
  });
  return { verify, calls: counted.calls };
}

describe('the verified-token cache', () => {
  it('verifies a token once and reuses the verdict while it holds', async () => {
    const clock = { now: NOW };
    const { verify, calls } = cacheWith({ clock });
    const token = tokenFor('alice');
    for (let i = 0; i < 5; i += 1) {
      expect(await verify(token)).toMatchObject({ ok: true, userId: 'alice' });
      clock.now += 1000;
    }
    expect(calls).toHaveLength(1);
  });

  it('keeps nothing for a refused token: each attempt is verified, with its own reason', async () => {
    const counted = countingVerifier(() => ({ ok: false, reason: 'Token is invalid' }));
    const verify = cachingVerifier(counted.verify, {
      maxEntries: 100,
      maxAgeMs: 60_000,
      clockToleranceSeconds: 0,
    });
    const token = tokenFor('mallory');
    for (let i = 0; i < 3; i += 1) {
      expect(await verify(token)).toEqual({ ok: false, reason: 'Token is invalid' });
    }
    expect(counted.calls).toHaveLength(3);
  });

  it('checks exp again on every hit: an expired token goes back to the verifier', async () => {
    const clock = { now: NOW };
    const { verify, calls } = cacheWith({ clock, maxAgeMs: 3_600_000 }, (token) =>
      clock.now >= NOW + 900_000 ? { ok: false, reason: 'Token has expired' } : accept(token),
    );
    const token = tokenFor('alice');
    expect((await verify(token)).ok).toBe(true);
    clock.now = NOW + 899_999;
    expect((await verify(token)).ok).toBe(true);
    expect(calls).toHaveLength(1);
    clock.now = NOW + 900_000;
    expect(await verify(token)).toEqual({ ok: false, reason: 'Token has expired' });
    expect(calls).toHaveLength(2);
  });

  it('reuses a verdict for maxAgeMs at most, so a withdrawn key stops working in that time', async () => {
    const clock = { now: NOW };
    let keyWithdrawn = false;
    const { verify } = cacheWith({ clock }, (token) =>
      keyWithdrawn ? { ok: false, reason: 'Token is invalid' } : accept(token),
    );
    const token = tokenFor('alice');
    expect((await verify(token)).ok).toBe(true);
    keyWithdrawn = true;
    clock.now = NOW + 59_999;
    expect((await verify(token)).ok).toBe(true);
    clock.now = NOW + 60_000;
    expect(await verify(token)).toEqual({ ok: false, reason: 'Token is invalid' });
  });

  it('does not reuse a verdict before the token is valid (nbf), within the tolerance', async () => {
    const clock = { now: NOW };
    const { verify, calls } = cacheWith({ clock, clockToleranceSeconds: 5 });
    const token = tokenFor('alice', { nbf: NOW / 1000 + 10 });
    await verify(token);
    clock.now = NOW + 4_999;
    await verify(token);
    expect(calls).toHaveLength(2);
    clock.now = NOW + 5_000;
    await verify(token);
    await verify(token);
    expect(calls).toHaveLength(2);
  });

  it('holds at most maxEntries tokens, forgetting the oldest first', async () => {
    const clock = { now: NOW };
    const { verify, calls } = cacheWith({ clock, maxEntries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((sub) => tokenFor(sub));
    for (const token of [a!, b!, c!, c!, b!]) await verify(token);
    expect(calls).toEqual([a, b, c]);
    await verify(a!);
    expect(calls).toEqual([a, b, c, a]);
  });

  it('with maxEntries 0 is no cache at all', () => {
    const counted = countingVerifier(accept);
    const verify = cachingVerifier(counted.verify, {
      maxEntries: 0,
      maxAgeMs: 60_000,
      clockToleranceSeconds: 0,
    });
    expect(verify).toBe(counted.verify);
  });
});
