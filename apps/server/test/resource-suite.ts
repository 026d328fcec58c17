import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';
import { describeConditionalRequests } from './conditions-suite.js';
import { describeIdempotentCreates } from './idempotency-suite.js';
import { describeListQueries } from './list-suite.js';
import {
  expectError,
  expectInvalid,
  expectTimestamp,
  fixtures,
  type Fixtures,
  type Reply,
  type Routes,
  type SuiteField,
  type SuiteResource,
} from './resource-fixtures.js';

type Verb = 'list' | 'create' | 'get' | 'put' | 'patch' | 'delete';
type Write = 'POST' | 'PUT' | 'PATCH';
const itemVerbs = ['get', 'put', 'patch', 'delete'] as const;
const allVerbs: Verb[] = ['list', 'create', ...itemVerbs];

// Values of each kind that are not values of it: [what, value]. The first is of the wrong
// JSON type altogether.
export function badValues({ spec, nullable }: SuiteField): [string, unknown][] {
  const limits = spec.openApi as {
    minLength?: number;
    maxLength?: number;
    minimum?: number;
    maximum?: number;
  };
  const numeric = spec.kind === 'integer' || spec.kind === 'reference';
  const wrongType: [string, unknown] = [
    'of the wrong type',
    spec.kind === 'boolean' ? 'yes' : numeric ? 'seven' : 7,
  ];
  const notNull: [string, unknown][] = nullable ? [] : [['null', null]];
  const byKind: Record<string, [string, unknown][]> = {
    text: [
      [`over ${limits.maxLength} characters`, 'x'.repeat((limits.maxLength ?? 0) + 1)],
      ['holding NUL', 'a\u0000b'],
      ['holding a lone surrogate', 'a\ud800b'],
      ...((limits.minLength ?? 0) > 0 ? [['empty', ''] as [string, unknown]] : []),
    ],
    email: [
      ['without @', 'name.example.com'],
      ['with a space', 'a b@example.com'],
    ],
    url: [
      ['javascript:', 'javascript:alert(1)'],
      ['relative', '/path'],
      ['ftp:', 'ftp://example.com/f'],
    ],
    uuid: [
      ['not a UUID', 'not-a-uuid'],
      ['one digit short', '123e4567-e89b-12d3-a456-42661417400'],
    ],
    integer: [
      ['a fraction', 1.5],
      ['below its minimum', (limits.minimum ?? 0) - 1],
      ['above its maximum', (limits.maximum ?? 0) + 1],
      ['a numeric string', '3'],
    ],
    decimal: [
      ['a JSON number', 12.5],
      ['too many digits after the point', '1.2345'],
      ['too many digits before it', '12345678901234567890'],
      ['in exponent form', '1e3'],
      ['with a leading +', '+1.00'],
    ],
    boolean: [
      ['a string', 'true'],
      ['a number', 1],
    ],
    date: [
      ['February 30', '2026-02-30'],
      ['Feb 29 in a common year', '2025-02-29'],
      ['with a time', '2026-03-01T00:00:00Z'],
      ['year 0', '0000-01-01'],
    ],
    timestamp: [
      ['without an offset', '2026-03-01T09:30:00'],
      ['at 24:00', '2026-03-01T24:00:00Z'],
      ['finer than a millisecond', '2026-03-01T09:30:00.1234Z'],
      ['a date alone', '2026-03-01'],
    ],
    enumeration: [
      ['not among its values', 'unknown'],
      ['in another case', 'FOOD'],
    ],
    reference: [
      ['zero', 0],
      ['a fraction', 1.5],
      ['beyond 2^53 - 1', 2 ** 53],
    ],
    json: [
      ['an array', [1, 2]],
      ['a string', 'text'],
      ['holding NUL', { a: 'x\u0000' }],
      ['too large', { a: 'x'.repeat(20_000) }],
    ],
  };
  return [wrongType, ...notNull, ...(byKind[spec.kind] ?? [])];
}

// Bodies the types forbid, from the declaration: [method, case, body, paths `details` names].
function invalidWrites(resource: SuiteResource, f: Fixtures): [Write, string, unknown, string[]][] {
  const valid = f.sample(1);
  const later = new Set(resource.optionalOnReplace ?? []);
  const cases: [Write, string, unknown, string[]][] = [
    ['POST', 'an unknown field', { ...valid, unexpected_field: 1 }, ['body']],
    ['POST', 'an owner in the body', { ...valid, user_id: 'someone-else' }, ['body']],
    ['POST', 'an id in the body', { ...valid, id: 1 }, ['body']],
    ['PUT', 'an unknown field', { ...valid, unexpected_field: 1 }, ['body']],
    ['PATCH', 'an empty object', {}, ['body']],
    ['PATCH', 'an unknown field', { unexpected_field: true }, ['body']],
  ];
  for (const [name, field] of Object.entries(f.fields)) {
    const path = [`body.${name}`];
    const [wrong, ...bad] = badValues(field);
    const wrongType = wrong?.[1];
    cases.push(
      ['POST', `${name} of the wrong type`, { ...valid, [name]: wrongType }, path],
      ['PUT', `${name} of the wrong type`, { ...valid, [name]: wrongType }, path],
    );
    for (const [what, value] of bad)
      cases.push(['PATCH', `${name} ${what}`, { [name]: value }, path]);
    const without = Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name));
    if (!(name in resource.defaults)) cases.push(['POST', `no ${name}`, without, path]);
    if (!later.has(name)) cases.push(['PUT', `no ${name}`, without, path]);
  }
  return cases;
}

/**
 * The behaviour every resource shares, generated from its declaration: happy paths, 400s,
 * 401s, 403 for another user's path, 404 for another user's row on every verb (the row
 * unchanged), and its list queries. registered-resources.test.ts runs it for every resource
 * in the registry; a resource folder's own tests use resourceTestContext.
 */
export function describeResource(resource: SuiteResource) {
  const context = resourceTestContext(resource);
  const server = context.server;
  const f = context.fixtures;
  const { newUser, create, stored, storedFor, sample, Singular } = f;
  const path = `/api/:user_id/${resource.name}`;

  const verbs: Record<Verb, (routes: Routes, user_id: string, id: number) => Promise<Reply>> = {
    list: (routes, user_id) => routes.list({ params: { user_id } }),
    create: (routes, user_id) => routes.create({ params: { user_id }, body: sample(2) }),
    get: (routes, user_id, id) => routes.get({ params: { user_id, id } }),
    put: (routes, user_id, id) => routes.update({ params: { user_id, id }, body: sample(2) }),
    patch: (routes, user_id, id) => {
      const [field] = f.fieldNames;
      return routes.patch({ params: { user_id, id }, body: { [field!]: sample(2)[field!] } });
    },
    delete: (routes, user_id, id) => routes.remove({ params: { user_id, id } }),
  };

  describe(`${path}: writes and reads`, () => {
    it('creates with only the required fields: 201, the defaults, equal timestamps', async () => {
      const user = newUser();
      const required = Object.fromEntries(
        Object.entries(sample(0)).filter(([name]) => !(name in resource.defaults)),
      );
      const reply = await user.routes.create({ params: { user_id: user.id }, body: required });
      expect(reply.status).toBe(201);
      const item = reply.body as Record<string, unknown> & { id: number; created_at: string };
      expect(item).toEqual({
        id: expect.any(Number) as number,
        user_id: user.id,
        ...resource.defaults,
        ...required,
        version: 1,
        created_at: expect.any(String) as string,
        updated_at: item.created_at,
      });
      expect(Number.isSafeInteger(item.id) && item.id > 0).toBe(true);
      expectTimestamp(item.created_at);
      expect(await stored(item.id)).toEqual(item);
    });

    it('creates with every field, text at its length limit', async () => {
      const user = newUser();
      const body = sample(1);
      for (const [name, { spec }] of Object.entries(f.fields)) {
        const max = (spec.openApi as { maxLength?: number }).maxLength;
        if (spec.kind === 'text' && max !== undefined) body[name] = 't'.repeat(max);
      }
      const item = await create(user, body);
      expect(item).toMatchObject({ ...body, user_id: user.id });
      expect(await stored(item.id)).toEqual(item);
    });

    it('gets one: 200 with what is stored', async () => {
      const user = newUser();
      const item = await create(user);
      const reply = await user.routes.get({ params: { user_id: user.id, id: item.id } });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(item);
    });

    it('PUT replaces every field, keeps created_at and advances updated_at', async () => {
      const user = newUser();
      const { id } = await create(user, sample(0));
      const before = await f.backdate(id);
      const body = sample(1);
      const reply = await user.routes.update({ params: { user_id: user.id, id }, body });
      expect(reply.status).toBe(200);
      const item = reply.body as typeof before;
      expect(item).toMatchObject({ ...body, id, user_id: user.id, created_at: before.created_at });
      expect(Date.parse(item.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
      expect(await stored(id)).toEqual(item);
    });

    it.each(f.fieldNames)('PATCH of %s changes only it and advances updated_at', async (field) => {
      const user = newUser();
      const { id } = await create(user, sample(0));
      const before = await f.backdate(id);
      const value = sample(1)[field];
      const reply = await user.routes.patch({
        params: { user_id: user.id, id },
        body: { [field]: value },
      });
      expect(reply.status).toBe(200);
      const item = reply.body as typeof before;
      expect(item).toEqual({
        ...before,
        [field]: value,
        version: before.version + 1,
        updated_at: item.updated_at,
      });
      expect(Date.parse(item.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
      expect(await stored(id)).toEqual(item);
    });

    it('DELETE answers 204; then GET and DELETE answer 404', async () => {
      const user = newUser();
      const { id } = await create(user);
      const params = { user_id: user.id, id };
      expect((await user.routes.remove({ params })).status).toBe(204);
      expect(await stored(id)).toBeUndefined();
      const gone = expectError(await user.routes.get({ params }), 404);
      expect(gone.message).toBe(`${Singular} not found`);
      expectError(await user.routes.remove({ params }), 404);
    });

    it('answers 404 for an id never issued and 400 for a malformed one', async () => {
      const user = newUser();
      expectError(await user.routes.get({ params: { user_id: user.id, id: 9_007_199_254 } }), 404);
      for (const id of ['abc', '0', '-1', '1.5', '99999999999999999']) {
        expectInvalid(await user.routes.get({ params: { user_id: user.id, id } }), ['path.id']);
      }
    });
  });

  describe(`${path}: invalid input is a 400 naming the field, and nothing changes`, () => {
    const write = (user: ReturnType<typeof newUser>, id: number, method: Write, body: unknown) => {
      const params = { user_id: user.id, id };
      if (method === 'POST') return user.routes.create({ params, body });
      if (method === 'PUT') return user.routes.update({ params, body });
      return user.routes.patch({ params, body });
    };
    it.each(invalidWrites(resource, f))('%s with %s', async (method, _, body, paths) => {
      const user = newUser();
      const item = await create(user);
      expectInvalid(await write(user, item.id, method, body), paths);
      expect(await storedFor(user.id)).toEqual([item]);
    });
  });

  describe(`${path}: isolation between users`, () => {
    it.each(itemVerbs)(
      "%s of another user's row through one's own path is 404, and the row is unchanged",
      async (verb) => {
        const owner = newUser();
        const intruder = newUser();
        const item = await create(owner);
        const reply = await verbs[verb](intruder.routes, intruder.id, item.id);
        expect(expectError(reply, 404).message).toBe(`${Singular} not found`);
        expect(await stored(item.id)).toEqual(item);
        expect(await storedFor(intruder.id)).toEqual([]);
      },
    );

    it.each(allVerbs)("%s on another user's path is 403 and changes nothing", async (verb) => {
      const owner = newUser();
      const intruder = newUser();
      const item = await create(owner);
      expectError(await verbs[verb](intruder.routes, owner.id, item.id), 403);
      expect(await storedFor(owner.id)).toEqual([item]);
      expect(await storedFor(intruder.id)).toEqual([]);
    });
  });

  describe(`${path}: authentication`, () => {
    const cases = allVerbs.flatMap((verb) => [
      [verb, 'no token'] as const,
      [verb, 'an expired token'] as const,
    ]);
    it.each(cases)(
      '%s with %s is 401 with a Bearer challenge; nothing changes',
      async (verb, kind) => {
        const user = newUser();
        const item = await create(user);
        const expired = server().tokenFor(user.id, { exp: Math.floor(Date.now() / 1000) - 60 });
        const routes = f.routesWithToken(kind === 'no token' ? undefined : expired);
        const reply = await verbs[verb](routes, user.id, item.id);
        expectError(reply, 401);
        expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(await storedFor(user.id)).toEqual([item]);
      },
    );
  });

  describeListQueries(resource, f);
  describeConditionalRequests(resource, server, f);
  describeIdempotentCreates(resource, server, f);
}

/** A test server for a describe block, and the fixtures of one resource on it. */
export function resourceTestContext(resource: SuiteResource) {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());
  const current = () => {
    if (server === undefined) throw new Error('The test server starts in beforeAll');
    return server;
  };
  return { server: current, fixtures: fixtures(current, resource) };
}
