import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseFlatQuery } from './query-parser.js';

describe('parseFlatQuery', () => {
  it('reads plain parameters, decoding as browsers encode them', () => {
    expect({ ...parseFlatQuery('limit=5&q=a+b%26c&empty=&bare') }).toEqual({
      limit: '5',
      q: 'a b&c',
      empty: '',
      bare: '',
    });
  });

  it('has nothing for no query string (Express passes null) or an empty one', () => {
    expect(Object.keys(parseFlatQuery(null))).toEqual([]);
    expect(Object.keys(parseFlatQuery(undefined))).toEqual([]);
    expect(Object.keys(parseFlatQuery(''))).toEqual([]);
  });

  it('makes a repeated key an array of every value, in order', () => {
    expect({ ...parseFlatQuery('a=1&b=x&a=2&a=3') }).toEqual({ a: ['1', '2', '3'], b: 'x' });
  });

  it('keeps brackets in the key instead of building objects', () => {
    expect({ ...parseFlatQuery('a[b]=1&c[]=2&d.e=3') }).toEqual({
      'a[b]': '1',
      'c[]': '2',
      'd.e': '3',
    });
  });

  it('keeps __proto__ and constructor as own keys, and pollutes nothing', () => {
    const query = parseFlatQuery('__proto__=x&constructor=y&__proto__[polluted]=z');
    expect(Object.keys(query)).toEqual(['__proto__', 'constructor', '__proto__[polluted]']);
    expect(Object.getOwnPropertyDescriptor(query, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is what a strict zod schema needs to report __proto__ as unrecognized', () => {
    const result = z
      .object({ limit: z.string().optional() })
      .strict()
      .safeParse(parseFlatQuery('limit=1&__proto__=x&constructor=y'));
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['__proto__', 'constructor'] },
    ]);
  });
});
