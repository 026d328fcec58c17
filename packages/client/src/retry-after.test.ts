import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryAfterSeconds } from './retry-after.js';

const now = Date.parse('2026-12-03T10:00:00Z');

describe('Retry-After', () => {
  it('reads seconds, white space around them allowed', () => {
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs(' 30 ', now)).toBe(30_000);
    expect(retryAfterMs('0', now)).toBe(0);
  });

  it('reads an HTTP date as the time from now until then, none if it has passed', () => {
    expect(retryAfterMs('Thu, 03 Dec 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Thu, 03 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });

  it.each([null, '', ' ', 'soon', '1.5', '-1', '0x10', '1e3'])('is undefined for %j', (value) => {
    expect(retryAfterMs(value, now)).toBeUndefined();
    expect(retryAfterSeconds(value, now)).toBeUndefined();
  });

  it('in seconds, rounds a date’s fraction up: waiting less would be too early', () => {
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Thu, 03 Dec 2026 10:00:05 GMT', now - 300)).toBe(6);
  });
});
