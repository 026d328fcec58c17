import { describe, expect, it } from 'vitest';
import { policyField, retryAfterSeconds, stateField } from './rate-limit-headers.js';
import { msUntilFull, msUntilToken, takeToken, tokensAt, type Bucket } from './token-bucket.js';

const policy = { burst: 3, perSecond: 2 };

/** Takes at each of `times` (ms) from one bucket, answering who was allowed and what was left. */
function takesAt(times: number[]) {
  let bucket: Bucket | undefined;
  return times.map((now) => {
    const taken = takeToken(policy, bucket, now);
    bucket = taken.bucket;
    return [taken.allowed, bucket.tokens] as const;
  });
}

describe('takeToken', () => {
  it('gives a new bucket its burst, then refuses without taking anything', () => {
    expect(takesAt([0, 0, 0, 0, 0])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
  });

  it('refills at perSecond, a fraction of a token at a time', () => {
    // 2/s: a token every 500 ms; 250 ms brings half of one, not enough on its own.
    expect(takesAt([0, 0, 0, 250, 500, 750, 1000])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0.5],
      [true, 0],
      [false, 0.5],
      [true, 0],
    ]);
  });

  it('never holds more than the burst, however long the bucket waited', () => {
    expect(takesAt([0, 3_600_000])).toEqual([
      [true, 2],
      [true, 2],
    ]);
  });

  it('takes nothing away when the clock steps back', () => {
    const after = takeToken(policy, { tokens: 1.5, at: 1000 }, 400);
    expect(after).toEqual({ allowed: true, bucket: { tokens: 0.5, at: 400 } });
  });
});

describe('bucket times', () => {
  it('counts the time to full and to the next token from the tokens held', () => {
    expect(tokensAt(policy, undefined, 123)).toBe(3);
    expect(msUntilFull(policy, 0)).toBe(1500);
    expect(msUntilFull(policy, 2.5)).toBe(250);
    expect(msUntilFull(policy, 3)).toBe(0);
    expect(msUntilToken(policy, 0)).toBe(500);
    expect(msUntilToken(policy, 0.75)).toBe(125);
    expect(msUntilToken(policy, 1.5)).toBe(0);
  });
});

describe('RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10)', () => {
  it('states the policy: the burst and the whole seconds an empty bucket takes to refill', () => {
    expect(policyField('api', { burst: 300, perSecond: 100 })).toBe('"api";q=300;w=3');
    expect(policyField('auth', { burst: 30, perSecond: 1 })).toBe('"auth";q=30;w=30');
    expect(policyField('api', { burst: 10, perSecond: 4 })).toBe('"api";q=10;w=3');
  });

  it('states whole tokens left (rounded down) and seconds until full (rounded up)', () => {
    expect(stateField('api', policy, 2)).toBe('"api";r=2;t=1');
    expect(stateField('api', policy, 0.5)).toBe('"api";r=0;t=2');
    expect(stateField('api', { burst: 300, perSecond: 100 }, 299)).toBe('"api";r=299;t=1');
  });

  it('asks a refused client to wait until a token is there, at least a second', () => {
    expect(retryAfterSeconds({ burst: 3, perSecond: 1 }, 0)).toBe(1);
    expect(retryAfterSeconds({ burst: 3, perSecond: 1 }, 0.1)).toBe(1);
    expect(retryAfterSeconds({ burst: 30, perSecond: 100 }, 0.99)).toBe(1);
    const slow = { burst: 2, perSecond: 1 / 5 };
    expect(retryAfterSeconds(slow, 0)).toBe(5);
    expect(retryAfterSeconds(slow, 0.5)).toBe(3);
  });
});
