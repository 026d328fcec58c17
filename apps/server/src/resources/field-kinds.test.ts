import { initContract, type AppRouter } from '@ts-rest/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/harness.js';
import {
  expectInvalid,
  fixtures,
  type Item,
  type SuiteResource,
  type User,
} from '../../test/resource-fixtures.js';
import { specimens } from '../../test/specimens.js';
import { buildOpenApiDocument } from '../http/openapi.js';

// What each field kind does end to end, through HTTP and the real database (both drivers):
// values arrive exactly as the kind answers them, bounds hold, the list reads them as the
// kind does, and the documentation says what the kind takes. The engine's generic behaviour
// (every invalid body, sorts and cursors, filters) is in engine.test.ts.

const resource = specimens as unknown as SuiteResource;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const f = fixtures(() => server, resource);

const base = () => f.sample(0);
async function roundTrip(user: User, changes: Record<string, unknown>) {
  const created = await f.create(user, { ...base(), label: `l${Math.random()}`, ...changes });
  expect(await f.stored(created.id)).toEqual(created);
  const read = await user.routes.get({ params: { user_id: user.id, id: created.id } });
  expect(read.body).toEqual(created);
  return created;
}

describe('field kinds, through the API and the database', () => {
  it('decimals are exact: stored as numeric, answered as text with the field’s scale', async () => {
    const user = f.newUser();
    const cases: [string, string][] = [
      ['12.5', '12.50'],
      ['12.500', '12.50'],
      ['99999999.99', '99999999.99'],
      ['-99999999.99', '-99999999.99'],
      ['0.1', '0.10'],
      ['-0.01', '-0.01'],
      ['0', '0.00'],
    ];
    for (const [sent, answered] of cases) {
      expect((await roundTrip(user, { price: sent })).price).toBe(answered);
    }
    expect((await roundTrip(user, { weight: '0.001' })).weight).toBe('0.001');
    // A range compares numbers, not text: 0.10 to 0.20 holds neither 0.3 nor 0.10000001.
    const other = f.newUser();
    const items = [
      await roundTrip(other, { price: '0.1' }),
      await roundTrip(other, { price: '0.2' }),
    ];
    await roundTrip(other, { price: '0.3' });
    await roundTrip(other, { price: '10.00' });
    const list = await other.routes.list({
      params: { user_id: other.id },
      query: { 'price[gte]': '0.1', 'price[lte]': '0.2', sort: 'price' },
    });
    expect((list.body as { specimens: Item[] }).specimens.map((item) => item.price)).toEqual(
      items.map((item) => item.price),
    );
  });

  it('times arrive with any offset and are answered in UTC to the millisecond', async () => {
    const user = f.newUser();
    const item = await roundTrip(user, { starts_at: '2026-03-01T10:30:00.250+01:00' });
    expect(item.starts_at).toBe('2026-03-01T09:30:00.250Z');
    expect((await roundTrip(user, { starts_at: '2026-12-31T23:30:00-01:00' })).starts_at).toBe(
      '2027-01-01T00:30:00.000Z',
    );
    // A filter names the moment in any offset too.
    const found = await user.routes.list({
      params: { user_id: user.id },
      query: { starts_at: '2026-03-01T04:30:00.250-05:00' },
    });
    expect((found.body as { specimens: Item[] }).specimens).toEqual([item]);
  });

  it('dates keep month ends, leap days and the edges of the calendar', async () => {
    const user = f.newUser();
    for (const day of [
      '2024-02-29',
      '2000-02-29',
      '2026-01-31',
      '2026-04-30',
      '0001-01-01',
      '9999-12-31',
    ]) {
      expect((await roundTrip(user, { due_on: day })).due_on).toBe(day);
    }
  });

  it('integers reach ±(2^53 − 1) in a bigint and hold a narrow range in an integer', async () => {
    const user = f.newUser();
    for (const quantity of [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0]) {
      expect((await roundTrip(user, { quantity })).quantity).toBe(quantity);
    }
    for (const rating of [1, 5]) expect((await roundTrip(user, { rating })).rating).toBe(rating);
  });

  it('UUIDs are answered in lower case, and found by a filter in either case', async () => {
    const user = f.newUser();
    const item = await roundTrip(user, { token: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' });
    expect(item.token).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    const found = await user.routes.list({
      params: { user_id: user.id },
      query: { token: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' },
    });
    expect((found.body as { specimens: Item[] }).specimens).toEqual([item]);
  });

  it('JSON objects keep their content, Unicode and nesting included', async () => {
    const user = f.newUser();
    const settings = {
      theme: 'dark',
      tags: ['a', 'ü', '😀'],
      nested: { n: 1.5, ok: true, none: null },
    };
    expect((await roundTrip(user, { settings })).settings).toEqual(settings);
  });

  it('text formats are stored as sent', async () => {
    const user = f.newUser();
    const item = await roundTrip(user, {
      contact: 'Ada.Lovelace+x@Example.com',
      homepage: 'HTTPS://example.com/a?b=c#d',
    });
    expect(item).toMatchObject({
      contact: 'Ada.Lovelace+x@Example.com',
      homepage: 'HTTPS://example.com/a?b=c#d',
    });
  });

  it('a reference names an item of the same owner; deleting it empties the reference', async () => {
    const user = f.newUser();
    const parent = await roundTrip(user, {});
    const child = await roundTrip(user, { parent_id: parent.id });
    const intruder = f.newUser();
    const spy = await intruder.routes.create({
      params: { user_id: intruder.id },
      body: { ...base(), parent_id: parent.id },
    });
    expectInvalid(spy, ['body.parent_id']);
    await user.routes.remove({ params: { user_id: user.id, id: parent.id } });
    expect(await f.stored(child.id)).toMatchObject({ parent_id: null });
  });

  it('a json field is no filter and no sort', async () => {
    const user = f.newUser();
    for (const query of [{ settings: '{}' }, { sort: 'settings' }]) {
      const reply = await user.routes.list({ params: { user_id: user.id }, query });
      expect(reply.status).toBe(400);
    }
  });

  it('round-trips random decimals, dates and times (property-based)', async () => {
    const user = f.newUser();
    let made = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n }),
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        async (cents, moment, offsetMinutes) => {
          const negative = cents < 0n;
          const digits = (negative ? -cents : cents).toString().padStart(3, '0');
          const price = `${negative ? '-' : ''}${digits.slice(0, -2).replace(/^0+(?=\d)/, '')}.${digits.slice(-2)}`;
          const day = moment.toISOString().slice(0, 10);
          const local = new Date(moment.getTime() + offsetMinutes * 60_000)
            .toISOString()
            .slice(0, -1);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const minutes = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
          const utc = moment.toISOString();
          if (utc < '0001-01-02' || utc > '9999-12-30') return;
          made += 1;
          const item = await roundTrip(user, { price, due_on: day, starts_at: local + offset });
          expect({ price: item.price, due_on: item.due_on, starts_at: item.starts_at }).toEqual({
            price: price === '-0.00' ? '0.00' : price,
            due_on: day,
            starts_at: utc,
          });
        },
      ),
      { numRuns: 40 },
    );
    expect(made).toBeGreaterThan(30);
  });
});

describe('field kinds in the OpenAPI document', () => {
  const router = (initContract().router as (routes: AppRouter) => AppRouter)(specimens.routes);
  const document = buildOpenApiDocument({ specimens: router });
  const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
  const collection = paths['/api/{user_id}/specimens']!;
  const body = (
    collection.post!.requestBody as {
      content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }>;
    }
  ).content['application/json']!.schema.properties;
  const parameters = collection.get!.parameters as {
    name: string;
    schema: Record<string, unknown>;
  }[];

  it.each([
    ['label', { type: 'string', minLength: 1, maxLength: 60 }],
    ['contact', { type: 'string', format: 'email', maxLength: 254, nullable: true }],
    ['homepage', { type: 'string', format: 'uri', maxLength: 2048, nullable: true }],
    [
      'token',
      { type: 'string', format: 'uuid', pattern: expect.stringContaining('a-fA-F') as unknown },
    ],
    ['rating', { type: 'integer', format: 'int32', minimum: 1, maximum: 5 }],
    [
      'quantity',
      { type: 'integer', format: 'int64', minimum: -Number.MAX_SAFE_INTEGER, nullable: true },
    ],
    [
      'price',
      { type: 'string', format: 'decimal', pattern: '^-?(0|[1-9][0-9]{0,7})(\\.[0-9]{1,2}0*)?$' },
    ],
    ['active', { type: 'boolean', default: true }],
    ['due_on', { type: 'string', format: 'date', nullable: true }],
    ['starts_at', { type: 'string', format: 'date-time' }],
    ['category', { type: 'string', enum: ['food', 'travel', 'other'], default: 'other' }],
    ['parent_id', { type: 'integer', minimum: 1, nullable: true }],
    ['settings', { type: 'object', nullable: true }],
  ])('documents %s by its kind', (field, expected) => {
    expect(body[field]).toMatchObject(expected);
  });

  it('documents the range filters of range kinds and the times, with their format', () => {
    const names = parameters.map(({ name }) => name);
    for (const field of [
      'rating',
      'quantity',
      'price',
      'weight',
      'due_on',
      'starts_at',
      'created_at',
      'updated_at',
    ]) {
      for (const operator of ['gt', 'gte', 'lt', 'lte'])
        expect(names).toContain(`${field}[${operator}]`);
    }
    expect(names).not.toContain('label[gte]');
    expect(names).not.toContain('settings');
    expect(parameters.find(({ name }) => name === 'due_on[gte]')?.schema).toMatchObject({
      format: 'date',
    });
  });
});
