import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, isRangeKind, type FieldKind } from '@enclave/contract';
import { describe, expect, it } from 'vitest';
import {
  expectError,
  expectInvalid,
  type Fixtures,
  type Item,
  type SuiteResource,
  type User,
} from './resource-fixtures.js';

interface Page {
  items: Item[];
  count: number | null;
  next_cursor: string | null;
}

type Query = Record<string, unknown>;

/** How two non-null values of a kind compare, as PostgreSQL orders them. */
function compareValues(kind: FieldKind | 'system', a: unknown, b: unknown): number {
  if (kind === 'decimal') return Number(a) - Number(b);
  if (kind === 'boolean') return Number(a) - Number(b);
  return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
}

/** `items` in the order `sort` asks for: nulls last ascending, first descending; ties by id. */
function sorted(items: Item[], sort: string, kindOf: (field: string) => FieldKind | 'system') {
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const kind = kindOf(field);
  const sign = descending ? -1 : 1;
  const byValue = (a: unknown, b: unknown) => {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    return compareValues(kind, a, b);
  };
  return [...items].sort((a, b) => sign * (byValue(a[field], b[field]) || a.id - b.id));
}

// The query-string text of a value, as a client writes it in a URL.
const asQuery = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);

// Bad query values of each kind, for its equality filter (a text filter takes any text).
const BAD_FILTER_VALUES: Partial<Record<FieldKind, string>> = {
  boolean: 'maybe',
  integer: '1.5',
  decimal: '1e3',
  date: '2026-02-30',
  timestamp: 'yesterday',
  uuid: 'not-a-uuid',
  enumeration: 'unknown',
  reference: '0',
};

// Values that `q` finds in a searchable field of each kind: [value, found by 'needle'].
const SEARCHED: Record<string, string[]> = {
  text: ['Find The NEEDLE here', '50%_off', 'plain', 'needless'],
  email: [
    'find.the.NEEDLE@example.com',
    '50%_off@example.com',
    'plain@example.com',
    'needless@example.com',
  ],
  url: [
    'https://example.com/Find-The-NEEDLE',
    'https://example.com/50%_off',
    'https://example.com/plain',
    'https://example.com/needless',
  ],
};

/** The list behaviour every resource shares: order, paging, sorting, filters, q, bad values. */
export function describeListQueries(resource: SuiteResource, f: Fixtures) {
  const path = `/api/:user_id/${resource.name}`;
  const sorts = ['id', 'created_at', 'updated_at', ...resource.list.sortable].flatMap((field) => [
    field,
    `-${field}`,
  ]);
  const kindOf = (field: string) => f.fields[field]?.spec.kind ?? 'system';
  const order = (items: Item[], sort: string) => sorted(items, sort, kindOf);

  const list = async (user: User, query: Query = {}): Promise<Page> => {
    const reply = await user.routes.list({ params: { user_id: user.id }, query });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const body = reply.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['count', 'next_cursor', resource.name].sort());
    return {
      items: body[resource.name] as Item[],
      count: body.count as number | null,
      next_cursor: body.next_cursor as string | null,
    };
  };

  // Follows next_cursor to the end; every page has `count` of all matches and at most `limit`.
  const everyPage = async (user: User, query: Query, total: number) => {
    const items: Item[] = [];
    let cursor: string | null | undefined;
    for (let pages = 0; cursor !== null; pages += 1) {
      expect(pages).toBeLessThanOrEqual(total);
      const page = await list(user, { ...query, ...(cursor ? { cursor } : {}) });
      expect(page.count).toBe(total);
      expect(page.items.length).toBeLessThanOrEqual(Number(query.limit ?? DEFAULT_LIST_LIMIT));
      items.push(...page.items);
      cursor = page.next_cursor;
    }
    return items;
  };

  // Rows whose update order differs from their creation order, so every sort differs; seven,
  // so small ranges and booleans tie and nulls come more than once.
  const arrange = async (user: User, count = 7) => {
    const items = await f.createMany(user, count);
    const [field] = f.fieldNames;
    for (const index of [3, 0]) {
      const item = items[index]!;
      const reply = await user.routes.patch({
        params: { user_id: user.id, id: item.id },
        body: { [field!]: item[field!] },
      });
      items[index] = reply.body as Item;
    }
    return items;
  };

  describe(`${path}: list queries`, () => {
    it("lists newest first by default, only the caller's, with count and no next page", async () => {
      const user = f.newUser();
      const other = f.newUser();
      expect(await list(user)).toEqual({ items: [], count: 0, next_cursor: null });
      const items = await f.createMany(user, 3);
      await f.create(other);
      expect(await list(user)).toEqual({
        items: order(items, '-created_at'),
        count: 3,
        next_cursor: null,
      });
    });

    it.each(sorts)(
      'sort=%s orders every page, nulls and ties included, and the pages add up to the list',
      async (sort) => {
        const user = f.newUser();
        const items = await arrange(user);
        const expected = order(items, sort);
        expect((await list(user, { sort })).items).toEqual(expected);
        expect(await everyPage(user, { sort, limit: 2 }, items.length)).toEqual(expected);
        expect(await everyPage(user, { sort, limit: 1 }, items.length)).toEqual(expected);
      },
    );

    it('pages with limit=1 end with next_cursor null, and a row added meanwhile is not repeated', async () => {
      const user = f.newUser();
      const items = await f.createMany(user, 3);
      const first = await list(user, { limit: 1, sort: 'id' });
      expect(first.items).toEqual([items[0]]);
      await f.create(user, f.sample(4));
      const rest = await everyPage(user, { limit: 1, sort: 'id', cursor: first.next_cursor }, 4);
      expect(rest.map((item) => item.id)).toEqual([items[1]!.id, items[2]!.id, expect.any(Number)]);
    });

    it(`limit defaults to ${DEFAULT_LIST_LIMIT}, accepts ${MAX_LIST_LIMIT}, and the page size may change between pages`, async () => {
      const user = f.newUser();
      const items = await f.createMany(user, 4);
      const first = await list(user, { limit: 3, sort: 'id' });
      expect(first.items).toHaveLength(3);
      const second = await list(user, {
        limit: MAX_LIST_LIMIT,
        sort: 'id',
        cursor: first.next_cursor,
      });
      expect(second).toEqual({ items: [items[3]], count: 4, next_cursor: null });
    });

    it('count=none answers the same pages with a null count; count=exact is the default', async () => {
      const user = f.newUser();
      const items = await f.createMany(user, 3);
      const expected = order(items, 'id');
      expect(await list(user, { sort: 'id', count: 'exact' })).toEqual({
        items: expected,
        count: 3,
        next_cursor: null,
      });
      expect(await list(user, { sort: 'id', count: 'none' })).toEqual({
        items: expected,
        count: null,
        next_cursor: null,
      });
      const first = await list(user, { sort: 'id', limit: 2, count: 'none' });
      expect(first).toMatchObject({ items: expected.slice(0, 2), count: null });
      const rest = await list(user, {
        sort: 'id',
        limit: 2,
        count: 'none',
        cursor: first.next_cursor,
      });
      expect(rest).toEqual({ items: expected.slice(2), count: null, next_cursor: null });
      expect(await list(f.newUser(), { count: 'none' })).toEqual({
        items: [],
        count: null,
        next_cursor: null,
      });
    });

    it('a count other than exact or none is a 400 naming query.count', async () => {
      const user = f.newUser();
      const reply = await user.routes.list({
        params: { user_id: user.id },
        query: { count: 'some' },
      });
      expectInvalid(reply, ['query.count']);
    });

    // Expects `query` to match exactly `matches` of `items`: newest first, counted, and the
    // same across pages of one.
    const expectMatches = async (
      user: User,
      query: Query,
      items: Item[],
      matches: (item: Item) => boolean,
    ) => {
      const expected = order(items.filter(matches), '-created_at');
      expect(await list(user, query)).toEqual({
        items: expected,
        count: expected.length,
        next_cursor: null,
      });
      expect(await everyPage(user, { ...query, limit: 2 }, expected.length)).toEqual(expected);
    };

    for (const field of resource.list.filterable) {
      const { spec, nullable } = f.fields[field]!;
      it(`filters by ${field}=<value>${nullable ? ' and by null' : ''}; count is the matches`, async () => {
        const user = f.newUser();
        const items = await f.createMany(user, 7);
        const values = [
          ...new Set(items.map((item) => item[field]).filter((value) => value !== null)),
        ];
        for (const value of values.slice(0, 3)) {
          const equal = (item: Item) =>
            item[field] !== null && compareValues(spec.kind, item[field], value) === 0;
          await expectMatches(user, { [field]: asQuery(value) }, items, equal);
        }
        if (nullable)
          await expectMatches(user, { [field]: 'null' }, items, (item) => item[field] === null);
      });

      if (isRangeKind(spec.kind)) {
        it(`filters ${field} by range: gt, gte, lt, lte and both ends; nulls are in no range`, async () => {
          const user = f.newUser();
          const items = await f.createMany(user, 7);
          const values = order(items, field)
            .map((item) => item[field])
            .filter((value) => value !== null);
          const low = values[1];
          const high = values[values.length - 2];
          const cmp = (item: Item, bound: unknown) => compareValues(spec.kind, item[field], bound);
          const has = (item: Item) => item[field] !== null;
          await expectMatches(
            user,
            { [`${field}[gt]`]: asQuery(low) },
            items,
            (item) => has(item) && cmp(item, low) > 0,
          );
          await expectMatches(
            user,
            { [`${field}[gte]`]: asQuery(low) },
            items,
            (item) => has(item) && cmp(item, low) >= 0,
          );
          await expectMatches(
            user,
            { [`${field}[lt]`]: asQuery(high) },
            items,
            (item) => has(item) && cmp(item, high) < 0,
          );
          await expectMatches(
            user,
            { [`${field}[lte]`]: asQuery(high) },
            items,
            (item) => has(item) && cmp(item, high) <= 0,
          );
          await expectMatches(
            user,
            { [`${field}[gte]`]: asQuery(low), [`${field}[lt]`]: asQuery(high) },
            items,
            (item) => has(item) && cmp(item, low) >= 0 && cmp(item, high) < 0,
          );
          // An empty range is empty, not an error.
          await expectMatches(
            user,
            { [`${field}[gt]`]: asQuery(high), [`${field}[lt]`]: asQuery(low) },
            items,
            () => false,
          );
        });
      }
    }

    it('filters created_at and updated_at by range, and pages within the range', async () => {
      const user = f.newUser();
      const items = await f.createMany(user, 5);
      const times = items.map((item) => item.created_at).sort();
      const from = times[1]!;
      await expectMatches(
        user,
        { 'created_at[gte]': from },
        items,
        (item) => item.created_at >= from,
      );
      await expectMatches(
        user,
        { 'updated_at[lt]': from },
        items,
        (item) => item.updated_at < from,
      );
      // Any offset names the same moment: the same time written one hour east of UTC.
      const shifted = new Date(Date.parse(from) + 3_600_000).toISOString().replace('Z', '+01:00');
      await expectMatches(
        user,
        { 'created_at[gte]': shifted },
        items,
        (item) => item.created_at >= from,
      );
    });

    for (const field of resource.list.searchable) {
      it(`q finds text in ${field} case-insensitively, with % and _ taken literally`, async () => {
        const user = f.newUser();
        const kind = f.fields[field]!.spec.kind;
        const values = SEARCHED[kind]!;
        for (const [i, value] of values.entries())
          await f.create(user, { ...f.sample(i), [field]: value });
        const found = async (q: string) =>
          (await list(user, { q, sort: 'id' })).items.map((item) => item[field]);
        expect(await found('needle')).toEqual([values[0], values[3]]);
        expect(await found('%')).toEqual([values[1]]);
        expect(await found('_')).toEqual([values[1]]);
        expect(await found('nothing like it')).toEqual([]);
        expect((await list(user, { q: 'NeEdLe' })).count).toBe(2);
      });
    }

    const bad: [string, Query, string][] = [
      ['limit=0', { limit: 0 }, 'query.limit'],
      [`limit=${MAX_LIST_LIMIT + 1}`, { limit: MAX_LIST_LIMIT + 1 }, 'query.limit'],
      ['limit=abc', { limit: 'abc' }, 'query.limit'],
      ['limit=1.5', { limit: '1.5' }, 'query.limit'],
      ['limit=-1', { limit: '-1' }, 'query.limit'],
      ['limit=', { limit: '' }, 'query.limit'],
      ['sort=nope', { sort: 'nope' }, 'query.sort'],
      ['sort=user_id', { sort: 'user_id' }, 'query.sort'],
      ['sort=--id', { sort: '--id' }, 'query.sort'],
      ['an unknown parameter', { colour: 'red' }, 'query'],
      ['a range on a field that takes none', { 'id[gte]': '1' }, 'query'],
      ['an unknown range operator', { 'created_at[between]': '2026-01-01T00:00:00Z' }, 'query'],
      [
        'a range bound that is no time',
        { 'created_at[gte]': 'yesterday' },
        'query.created_at[gte]',
      ],
      ['a garbage cursor', { cursor: 'not-a-cursor' }, 'query.cursor'],
      ['a cursor of the right shape, unsigned', { cursor: 'W10.AAAA' }, 'query.cursor'],
    ];
    for (const field of resource.list.filterable) {
      const { spec } = f.fields[field]!;
      const value = BAD_FILTER_VALUES[spec.kind];
      if (value !== undefined)
        bad.push([`${field}=${value}`, { [field]: value }, `query.${field}`]);
      if (isRangeKind(spec.kind) && value !== undefined) {
        bad.push([`${field}[lte]=${value}`, { [`${field}[lte]`]: value }, `query.${field}[lte]`]);
      }
      if (!isRangeKind(spec.kind))
        bad.push([`${field}[gt], not a range kind`, { [`${field}[gt]`]: '1' }, 'query']);
    }
    if (resource.list.searchable.length > 0) {
      bad.push(
        ['q=', { q: '' }, 'query.q'],
        ['q over 200 characters', { q: 'q'.repeat(201) }, 'query.q'],
      );
    }
    it.each(bad)('%s is a 400 naming the parameter', async (_, query, name) => {
      const user = f.newUser();
      await f.create(user);
      const reply = await user.routes.list({ params: { user_id: user.id }, query });
      expectInvalid(reply, [name]);
    });

    it('a cursor edited, replayed by another user, or used with another query is a 400', async () => {
      const user = f.newUser();
      const other = f.newUser();
      await f.createMany(user, 3);
      await f.createMany(other, 3);
      const { next_cursor: cursor } = await list(user, { limit: 1 });
      expect(cursor).toEqual(expect.any(String));
      const [payload, mac] = cursor!.split('.') as [string, string];
      const forged = Buffer.from(JSON.stringify(['2000-01-01T00:00:00.000Z', 1])).toString(
        'base64url',
      );
      const flipped = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
      const attempts: [User, Query][] = [
        [user, { cursor: `${forged}.${mac}` }],
        [user, { cursor: `${payload}.${flipped}` }],
        [other, { cursor }],
        [user, { cursor, sort: 'id' }],
        [user, { cursor, sort: 'created_at' }],
        [user, { cursor, 'created_at[gte]': '2000-01-01T00:00:00Z' }],
      ];
      const [filter] = resource.list.filterable;
      if (filter !== undefined)
        attempts.push([user, { cursor, [filter]: asQuery(f.sample(0)[filter]) }]);
      if (resource.list.searchable.length > 0) attempts.push([user, { cursor, q: 'a' }]);
      for (const [who, query] of attempts) {
        const reply = await who.routes.list({
          params: { user_id: who.id },
          query: { limit: 1, ...query },
        });
        expectInvalid(reply, ['query.cursor']);
      }
      expect((await list(user, { limit: 1, cursor })).items).toHaveLength(1);
    });

    it("a list on another user's path is 403 even with a valid cursor of theirs", async () => {
      const owner = f.newUser();
      const intruder = f.newUser();
      await f.createMany(owner, 2);
      const { next_cursor: cursor } = await list(owner, { limit: 1 });
      const reply = await intruder.routes.list({
        params: { user_id: owner.id },
        query: { cursor },
      });
      expectError(reply, 403);
    });
  });
}
