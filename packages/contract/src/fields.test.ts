import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldSpecOf } from './field-spec.js';
import { checkDecimal, parseDate, parseTimestamp } from './field-values.js';
import {
  boolean,
  date,
  decimal,
  email,
  enumeration,
  integer,
  json,
  MAX_SAFE,
  reference,
  text,
  timestamp,
  url,
  uuid,
} from './fields.js';

function issuesOf(schema: z.ZodTypeAny, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

const accepts = (schema: z.ZodTypeAny, value: unknown) => schema.parse(value) as unknown;

describe('text()', () => {
  it('accepts the bounds themselves', () => {
    expect(text(2, 4).parse('ab')).toBe('ab');
    expect(text(2, 4).parse('abcd')).toBe('abcd');
    expect(text(0, 3).parse('')).toBe('');
  });

  it('says how long a value must be, with the right plural', () => {
    expect(issuesOf(text(1, 10), '')).toEqual(['must be at least 1 character']);
    expect(issuesOf(text(3, 10), 'ab')).toEqual(['must be at least 3 characters']);
    expect(issuesOf(text(0, 5), 'abcdef')).toEqual(['must be at most 5 characters']);
  });

  it('counts characters as PostgreSQL does, not UTF-16 code units', () => {
    const emoji = '\u{1F600}'; // one character, two UTF-16 code units
    expect(text(1, 3).parse(emoji.repeat(3))).toBe(emoji.repeat(3));
    expect(issuesOf(text(1, 3), emoji.repeat(4))).toEqual(['must be at most 3 characters']);
    expect(issuesOf(text(2, 3), emoji)).toEqual(['must be at least 2 characters']);
  });

  it('rejects lone surrogates, which would be stored as U+FFFD', () => {
    for (const value of ['\udc00', 'a\ud83d', '\ude00\ud83d']) {
      expect(issuesOf(text(0, 10), value)).toContain('must be valid Unicode text');
    }
  });

  it('rejects NUL, which PostgreSQL text cannot store, anywhere in the value', () => {
    for (const value of ['\u0000', 'a\u0000', '\u0000b', 'a\u0000b']) {
      expect(issuesOf(text(0, 10), value)).toEqual(['must not contain NUL (\\u0000) characters']);
    }
    expect(text(0, 10).parse('tab\there')).toBe('tab\there');
  });

  it('rejects what is not a string', () => {
    issuesOf(text(0, 10), 5);
    issuesOf(text(0, 10), null);
  });
});

describe('email()', () => {
  it('accepts what a browser email input accepts, as sent', () => {
    for (const value of [
      'ada@example.com',
      'Ada.Lovelace+test@mail.example.co.uk',
      "o'neil@x.io",
    ]) {
      expect(accepts(email(), value)).toBe(value);
    }
  });

  it('refuses anything else, and past 254 characters', () => {
    const message = 'must be an email address such as name@example.com';
    for (const value of [
      'ada',
      'ada@',
      '@example.com',
      'a b@example.com',
      'ada@example',
      'ada@@x.io',
    ]) {
      expect(issuesOf(email(), value)).toEqual([message]);
    }
    expect(issuesOf(email(), `${'a'.repeat(250)}@x.io`)).toContain(
      'must be at most 254 characters',
    );
    expect(issuesOf(email(), 7)).toEqual([message]);
  });
});

describe('url()', () => {
  it('accepts absolute http and https URLs, as sent', () => {
    for (const value of [
      'https://example.com',
      'HTTP://Example.com/a?b=c#d',
      'https://[::1]:8080/x',
    ]) {
      expect(accepts(url(), value)).toBe(value);
    }
  });

  it('refuses other schemes, relative URLs, spaces and controls', () => {
    const message = 'must be an absolute http:// or https:// URL';
    for (const value of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>',
      'ftp://example.com',
      '/relative',
      'example.com',
      'https://',
      'https://exa mple.com',
      'https://example.com/\n',
      'https://example.com/\tx',
      ' https://example.com',
    ]) {
      expect(issuesOf(url(), value), value).toEqual([message]);
    }
    expect(issuesOf(url(), `https://x.io/${'a'.repeat(2040)}`)).toContain(
      'must be at most 2048 characters',
    );
  });
});

describe('uuid()', () => {
  it('accepts a UUID in either case and answers it in lower case, as PostgreSQL stores it', () => {
    expect(accepts(uuid(), '123E4567-E89B-12D3-A456-426614174000')).toBe(
      '123e4567-e89b-12d3-a456-426614174000',
    );
  });

  it('refuses anything else', () => {
    for (const value of [
      '123e4567e89b12d3a456426614174000',
      '123e4567-e89b-12d3-a456-42661417400g',
      '',
    ]) {
      expect(issuesOf(uuid(), value)).toEqual([
        'must be a UUID such as 123e4567-e89b-12d3-a456-426614174000',
      ]);
    }
  });
});

describe('integer()', () => {
  it('takes whole numbers within its bounds, the bounds included', () => {
    expect(accepts(integer(1, 5), 1)).toBe(1);
    expect(accepts(integer(1, 5), 5)).toBe(5);
    expect(accepts(integer(), MAX_SAFE)).toBe(MAX_SAFE);
    expect(accepts(integer(), -MAX_SAFE)).toBe(-MAX_SAFE);
  });

  it('refuses fractions, numbers beyond its range or 2^53 - 1, and strings', () => {
    expect(issuesOf(integer(1, 5), 1.5)).toEqual(['must be a whole number from 1 to 5']);
    expect(issuesOf(integer(1, 5), 0)).toEqual(['must be a whole number from 1 to 5']);
    expect(issuesOf(integer(1, 5), 6)).toEqual(['must be a whole number from 1 to 5']);
    expect(issuesOf(integer(1, 5), '3')).toEqual(['must be a whole number from 1 to 5']);
    expect(issuesOf(integer(), 2 ** 53)).toEqual([
      `must be a whole number from -${MAX_SAFE} to ${MAX_SAFE}`,
    ]);
  });

  it('is an integer column when its range fits one, else bigint, with a check on the range', () => {
    expect(fieldSpecOf(integer(1, 5))).toMatchObject({ columnType: 'integer' });
    expect(fieldSpecOf(integer(1, 5))?.checks('rating')).toEqual([
      { rule: 'range', condition: 'rating between 1 and 5' },
    ]);
    expect(fieldSpecOf(integer(-2_147_483_648, 2_147_483_647))?.checks('n')).toEqual([]);
    expect(fieldSpecOf(integer(0, 2 ** 31))).toMatchObject({ columnType: 'bigint' });
    expect(() => integer(5, 1)).toThrow();
    expect(() => integer(0, 2 ** 53)).toThrow();
  });
});

describe('decimal()', () => {
  it('takes decimal strings that fit exactly; trailing zeros past the scale are free', () => {
    for (const value of ['12.5', '12.50', '12.500', '-0.01', '0', '99999999.99', '-99999999.99']) {
      expect(accepts(decimal(10, 2), value)).toBe(value);
    }
    expect(accepts(decimal(3, 3), '0.125')).toBe('0.125');
    expect(accepts(decimal(4, 0), '1234')).toBe('1234');
  });

  it('refuses JSON numbers, other notations, and more digits than fit, never rounding', () => {
    const typeMessage = 'must be a decimal number written as a string, such as "12.50"';
    for (const value of [
      12.5,
      '1e3',
      '+1.00',
      '01.5',
      '1.',
      '.5',
      ' 1',
      '1,5',
      '',
      'NaN',
      'Infinity',
    ]) {
      expect(issuesOf(decimal(10, 2), value), String(value)).toEqual([typeMessage]);
    }
    const fits = 'must have at most 8 digits before the point and 2 after it';
    expect(issuesOf(decimal(10, 2), '12.505')).toEqual([fits]);
    expect(issuesOf(decimal(10, 2), '123456789')).toEqual([fits]);
    expect(issuesOf(decimal(3, 3), '1.0')).toEqual([
      'must have at most 0 digits before the point and 3 after it',
    ]);
    expect(issuesOf(decimal(4, 0), '1.5')).toEqual([
      'must have at most 4 digits and none after the point',
    ]);
  });

  it('is numeric(p,s), documented with a pattern that accepts exactly what it accepts', () => {
    const spec = fieldSpecOf(decimal(10, 2))!;
    expect(spec).toMatchObject({ columnType: 'numeric(10,2)', parameterType: 'numeric' });
    expect(spec.openApi).toMatchObject({ type: 'string', format: 'decimal', example: '12.50' });
    for (const [precision, scale] of [
      [10, 2],
      [3, 3],
      [4, 0],
      [1, 0],
    ] as const) {
      const pattern = new RegExp(fieldSpecOf(decimal(precision, scale))!.openApi.pattern as string);
      fc.assert(
        fc.property(fc.stringMatching(/^[-+0-9.e]{0,8}$/), (value) => {
          expect(pattern.test(value)).toBe(checkDecimal(value, { precision, scale }) === 'ok');
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('round-trips every value that fits: its text is taken as it is', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n }), (cents) => {
        const negative = cents < 0n;
        const digits = (negative ? -cents : cents).toString().padStart(3, '0');
        const text = `${negative ? '-' : ''}${digits.slice(0, -2).replace(/^0+(?=\d)/, '')}.${digits.slice(-2)}`;
        expect(decimal(12, 2).parse(text)).toBe(text);
      }),
    );
  });

  it('refuses a declaration that cannot be a numeric', () => {
    expect(() => decimal(0, 0)).toThrow();
    expect(() => decimal(2, 3)).toThrow();
    expect(() => decimal(2.5, 1)).toThrow();
  });
});

describe('boolean()', () => {
  it('takes true and false only', () => {
    expect(accepts(boolean(), false)).toBe(false);
    for (const value of ['true', 1, null])
      expect(issuesOf(boolean(), value)).toEqual(['must be true or false']);
  });
});

describe('date()', () => {
  const message = 'must be a calendar date YYYY-MM-DD from 0001-01-01 to 9999-12-31';

  it('takes real calendar dates, month ends and leap days included', () => {
    for (const value of [
      '2024-02-29',
      '2000-02-29',
      '2026-01-31',
      '2026-04-30',
      '0001-01-01',
      '9999-12-31',
    ]) {
      expect(accepts(date(), value)).toBe(value);
    }
  });

  it('refuses dates that do not exist and other forms', () => {
    for (const value of [
      '2026-02-30',
      '2025-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '0000-01-01',
      '2026-1-01',
      '2026-03-01T00:00:00Z',
      '20260301',
      20260301,
    ]) {
      expect(issuesOf(date(), value), String(value)).toEqual([message]);
    }
  });

  it('round-trips every date from 0001 to 9999', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (moment) => {
          const text = moment.toISOString().slice(0, 10);
          expect(parseDate(text)).toBe(text);
        },
      ),
    );
  });
});

describe('timestamp()', () => {
  it('takes any ISO 8601 offset and answers the same moment in UTC, to the millisecond', () => {
    const cases: [string, string][] = [
      ['2026-03-01T09:30:00Z', '2026-03-01T09:30:00.000Z'],
      ['2026-03-01T10:30:00.250+01:00', '2026-03-01T09:30:00.250Z'],
      ['2026-03-01T00:15:00-05:30', '2026-03-01T05:45:00.000Z'],
      ['2026-03-01T09:30Z', '2026-03-01T09:30:00.000Z'],
      ['2026-03-01T09:30:00.123000Z', '2026-03-01T09:30:00.123Z'],
      ['2024-02-29T23:59:59.999+14:00', '2024-02-29T09:59:59.999Z'],
      ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00.000Z'],
    ];
    for (const [given, utc] of cases) expect(accepts(timestamp(), given)).toBe(utc);
  });

  it('refuses times without an offset, that do not exist, or finer than a millisecond', () => {
    for (const value of [
      '2026-03-01T09:30:00',
      '2026-03-01 09:30:00Z',
      '2026-02-30T09:30:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T09:60:00Z',
      '2026-06-30T23:59:60Z',
      '2026-03-01T09:30:00.1234Z',
      '2026-03-01T09:30:00+15:00',
      '2026-03-01T09:30:00+14:30',
      '0001-01-01T00:30:00+01:00',
      '9999-12-31T23:30:00-01:00',
      '2026-03-01',
      1_767_225_600_000,
    ]) {
      expect(issuesOf(timestamp(), value), String(value)).toHaveLength(1);
    }
  });

  it('round-trips every moment from 0001 to 9999 written with any offset', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-02T00:00:00Z'),
          max: new Date('9999-12-30T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (moment, offsetMinutes) => {
          const local = new Date(moment.getTime() + offsetMinutes * 60_000)
            .toISOString()
            .slice(0, -1);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const minutes = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
          expect(parseTimestamp(local + offset)).toBe(moment.toISOString());
        },
      ),
    );
  });
});

describe('enumeration()', () => {
  it('takes its values and lists them when refusing another', () => {
    const category = enumeration(['food', 'travel', 'other']);
    expect(accepts(category, 'travel')).toBe('travel');
    expect(issuesOf(category, 'FOOD')).toEqual(['must be one of: food, travel, other']);
    expect(issuesOf(category, 3)).toEqual(['must be one of: food, travel, other']);
    expect(fieldSpecOf(category)?.checks('category')).toEqual([
      { rule: 'allowed', condition: "category in ('food', 'travel', 'other')" },
    ]);
    expect(fieldSpecOf(category)?.openApi).toEqual({
      type: 'string',
      enum: ['food', 'travel', 'other'],
    });
  });

  it('refuses a declaration with repeated values, quotes or controls', () => {
    expect(() => enumeration(['a', 'a'])).toThrow();
    expect(() => enumeration(["it's"])).toThrow();
    expect(() => enumeration(['a\nb'])).toThrow();
  });
});

describe('reference()', () => {
  it('takes a positive id and names the resource it refers to', () => {
    const project = reference('projects');
    expect(accepts(project, 7)).toBe(7);
    expect(issuesOf(project, 0)).toEqual([
      `must be the id of one of your projects (an integer from 1 to ${MAX_SAFE})`,
    ]);
    expect(fieldSpecOf(project)).toMatchObject({ columnType: 'bigint', references: 'projects' });
  });
});

describe('json()', () => {
  it('takes any JSON object by default, and refuses other JSON', () => {
    expect(accepts(json(), { a: [1, { b: null }] })).toEqual({ a: [1, { b: null }] });
    for (const value of [[1], 'text', 3, true])
      expect(issuesOf(json(), value).length).toBeGreaterThan(0);
  });

  it('refuses what jsonb cannot store: NUL or a lone surrogate in any string or key, infinities', () => {
    expect(issuesOf(json(), { a: ['x\u0000'] })).toEqual([
      'must not contain NUL (\\u0000) characters in its text',
    ]);
    expect(issuesOf(json(), { 'k\u0000': 1 })).toEqual([
      'must not contain NUL (\\u0000) characters in its text',
    ]);
    expect(issuesOf(json(), { a: { b: '\ud800' } })).toEqual(['must hold valid Unicode text only']);
    expect(issuesOf(json(), { a: Infinity })).toEqual(['must hold finite numbers only']);
  });

  it('refuses more than its size in bytes of compact UTF-8 JSON', () => {
    const small = json(undefined, { maxBytes: 20 });
    expect(accepts(small, { a: 'é'.repeat(6) })).toEqual({ a: 'é'.repeat(6) });
    expect(issuesOf(small, { a: 'é'.repeat(7) })).toEqual(['must be at most 20 bytes of JSON']);
  });

  it('refuses unknown keys of an object schema instead of dropping them; passthrough keeps them', () => {
    const settings = json(z.object({ theme: z.enum(['light', 'dark']) }));
    expect(accepts(settings, { theme: 'dark' })).toEqual({ theme: 'dark' });
    expect(issuesOf(settings, { theme: 'dark', extra: 1 })[0]).toMatch(/Unrecognized key/);
    const open = json(z.object({ theme: z.string() }).passthrough());
    expect(accepts(open, { theme: 'x', extra: 1 })).toEqual({ theme: 'x', extra: 1 });
  });
});

describe('fieldSpecOf()', () => {
  it('finds the kind through nullable, optional and default, and nothing in a bare schema', () => {
    expect(fieldSpecOf(date().nullable())?.kind).toBe('date');
    expect(fieldSpecOf(integer(1, 5).nullable().default(null))?.kind).toBe('integer');
    expect(fieldSpecOf(text(0, 5).optional())?.kind).toBe('text');
    expect(fieldSpecOf(z.string())).toBeUndefined();
  });

  it('gives each kind its column type and checks', () => {
    const specs = {
      text: [text(1, 200), 'text', ['char_length(f) between 1 and 200']],
      note: [text(0, 500), 'text', ['char_length(f) <= 500']],
      email: [email(), 'text', ['char_length(f) <= 254', "f ~ '^[^@[:space:]]+@[^@[:space:]]+$'"]],
      url: [url(), 'text', ['char_length(f) <= 2048', "f ~* '^https?://'"]],
      uuid: [uuid(), 'uuid', []],
      boolean: [boolean(), 'boolean', []],
      date: [date(), 'date', ["f between '0001-01-01' and '9999-12-31'"]],
      timestamp: [
        timestamp(),
        'timestamptz(3)',
        ["f >= '0001-01-01T00:00:00Z'::timestamptz and f < '10000-01-01T00:00:00Z'::timestamptz"],
      ],
      json: [json(), 'jsonb', ["jsonb_typeof(f) = 'object'"]],
    } as const;
    for (const [name, [schema, columnType, checks]] of Object.entries(specs)) {
      const spec = fieldSpecOf(schema)!;
      expect(spec.columnType, name).toBe(columnType);
      expect(
        spec.checks('f').map(({ condition }) => condition),
        name,
      ).toEqual(checks);
    }
  });
});
