import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '@enclave/contract';
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

const compare = (a: unknown, b: unknown) => (a === b ? 0 : (a as string) < (b as string) ? -1 : 1);

/** `items` in the order `sort` asks for, ties by id in the same direction. */
function sorted(items: Item[], sort: string): Item[] {
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const sign = descending ? -1 : 1;
  return [...items].sort((a, b) => sign * (compare(a[field], b[field]) || compare(a.id, b.id)));
}

/** The list behaviour every resource shares: order, paging, sorting, filters, q, bad values. */
export function describeListQueries(resource: SuiteResource, f: Fixtures) {
  const path = `/api/:user_id/${resource.name}`;
  const sorts = ['id', 'created_at', 'updated_at', ...resource.list.sortable].flatMap((field) => [
    field,
    `-${field}`,
  ]);

  const list = async (user: User, query: Record<string, unknown> = {}): Promise<Page> => {
    const reply = await user.routes.list({ params: { user_id: user.id }, query });
    expect(reply.status).toBe(200);
    const body = reply.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['count', 'next_cursor', resource.name].sort());
    return {
      items: body[resource.name] as Item[],
      count: body.count as number | null,
      next_cursor: body.next_cursor as string | null,
    };
  };

  // Follows next_cursor to the end; every page has `count` of all matches and at most `limit`.
  const everyPage = async (user: User, query: Record<string, unknown>, total: number) => {
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

  // Rows whose update order differs from their creation order, so every sort differs.
  const arrange = async (user: User, count = 5) => {
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
        items: sorted(items, '-created_at'),
        count: 3,
        next_cursor: null,
      });
    });

    it.each(sorts)(
      'sort=%s orders every page, and the pages add up to the whole list',
      async (sort) => {
        const user = f.newUser();
        const items = await arrange(user);
        const expected = sorted(items, sort);
        expect((await list(user, { sort })).items).toEqual(expected);
        expect(await everyPage(user, { sort, limit: 2 }, items.length)).toEqual(expected);
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
      const expected = sorted(items, 'id');
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

    for (const field of resource.list.filterable) {
      const kind = f.kinds[field]!;
      if (kind.kind !== 'boolean') continue;
      it(`filters by ${field}=true and ${field}=false; count is the matches`, async () => {
        const user = f.newUser();
        const items = await f.createMany(user, 5);
        for (const value of [true, false]) {
          const matches = sorted(
            items.filter((item) => item[field] === value),
            '-created_at',
          );
          expect(await list(user, { [field]: value })).toEqual({
            items: matches,
            count: matches.length,
            next_cursor: null,
          });
          expect(await list(user, { [field]: String(value) })).toMatchObject({ items: matches });
          expect(await everyPage(user, { [field]: value, limit: 1 }, matches.length)).toEqual(
            matches,
          );
        }
      });
    }

    for (const field of resource.list.searchable) {
      it(`q finds text in ${field} case-insensitively, with % and _ taken literally`, async () => {
        const user = f.newUser();
        const kind = f.kinds[field]!;
        const values = ['Find The NEEDLE here', '50%_off', 'plain', 'needless'];
        const items = [];
        for (const [i, value] of values.entries()) {
          items.push(await f.create(user, { ...f.sample(i), [field]: value.slice(0, kind.max) }));
        }
        const found = async (q: string) =>
          (await list(user, { q, sort: 'id' })).items.map((item) => item[field]);
        expect(await found('needle')).toEqual(['Find The NEEDLE here', 'needless']);
        expect(await found('NEEDLE H')).toEqual(['Find The NEEDLE here']);
        expect(await found('%')).toEqual(['50%_off']);
        expect(await found('_')).toEqual(['50%_off']);
        expect(await found('nothing like it')).toEqual([]);
        expect((await list(user, { q: 'needle' })).count).toBe(2);
      });
    }

    const bad: [string, Record<string, unknown>, string][] = [
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
      ['a garbage cursor', { cursor: 'not-a-cursor' }, 'query.cursor'],
      ['a cursor of the right shape, unsigned', { cursor: 'W10.AAAA' }, 'query.cursor'],
      ...resource.list.filterable.map(
        (field) =>
          [`${field}=maybe`, { [field]: 'maybe' }, `query.${field}`] as [
            string,
            Record<string, unknown>,
            string,
          ],
      ),
      ...(resource.list.searchable.length > 0
        ? [
            ['q=', { q: '' }, 'query.q'] as [string, Record<string, unknown>, string],
            ['q over 200 characters', { q: 'q'.repeat(201) }, 'query.q'] as [
              string,
              Record<string, unknown>,
              string,
            ],
          ]
        : []),
    ];
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
      const attempts: [User, Record<string, unknown>][] = [
        [user, { cursor: `${forged}.${mac}` }],
        [user, { cursor: `${payload}.${flipped}` }],
        [other, { cursor }],
        [user, { cursor, sort: 'id' }],
        [user, { cursor, sort: 'created_at' }],
      ];
      const [filter] = resource.list.filterable;
      if (filter !== undefined) {
        const kind = f.kinds[filter]!;
        const value = kind.kind === 'boolean' ? true : kind.nullable ? 'null' : 1;
        attempts.push([user, { cursor, [filter]: value }]);
      }
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
