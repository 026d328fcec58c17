import { describe, expect, it } from 'vitest';
import { bodyLimitBytes } from './body-size.js';

describe('bodyLimitBytes', () => {
  it.each([
    ['512b', 512],
    ['1kb', 1024],
    ['100kb', 102_400],
    ['64KB', 65_536],
    ['1mb', 1_048_576],
    ['2MB', 2_097_152],
  ])('%s is %i bytes, as body-parser counts them', (limit, bytes) => {
    expect(bodyLimitBytes(limit)).toBe(bytes);
  });

  it.each(['100', '1gb', '1.5mb', 'kb', ''])('%j is not a size', (limit) => {
    expect(() => bodyLimitBytes(limit)).toThrow(/Not a body size/);
  });
});
