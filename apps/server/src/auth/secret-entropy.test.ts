import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { estimateEntropyBits, MIN_SECRET_ENTROPY_BITS } from './secret-entropy.js';

const many = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);

describe('estimateEntropyBits', () => {
  it('finds none in nothing, or in one character repeated', () => {
    expect(estimateEntropyBits('')).toBe(0);
    expect(estimateEntropyBits('x'.repeat(32))).toBe(0);
    expect(estimateEntropyBits('é'.repeat(64))).toBe(0);
  });

  it.each([
    ['two characters alternating', 'ab'.repeat(16)],
    ['a word repeated', 'password'.repeat(4)],
    ['a short pattern repeated', 'abcd'.repeat(25)],
    ['the digits four times', '0123456789'.repeat(4)],
    ['a phrase', 'correct horse battery staple'],
  ])('finds too little in %s', (_name, secret) => {
    expect(estimateEntropyBits(secret)).toBeLessThan(MIN_SECRET_ENTROPY_BITS);
  });

  it('finds enough in every random secret of 24 bytes or more, however encoded', () => {
    const secrets = [
      ...many(500, () => randomBytes(48).toString('base64')),
      ...many(500, () => randomBytes(24).toString('base64')),
      ...many(500, () => randomBytes(32).toString('hex')),
      ...many(500, () => randomBytes(32).toString('base64url')),
    ];
    const lowest = Math.min(...secrets.map(estimateEntropyBits));
    expect(lowest).toBeGreaterThanOrEqual(MIN_SECRET_ENTROPY_BITS);
  });

  it('finds close to what openssl rand -base64 48 holds', () => {
    const bits = estimateEntropyBits(randomBytes(48).toString('base64'));
    expect(bits).toBeGreaterThan(300);
    expect(bits).toBeLessThanOrEqual(64 * 6 + 32);
  });
});
