import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AppRoute, ClientInferRequest, ServerInferResponses } from '@ts-rest/core';
import { z } from 'zod';
import { contract } from './contract.js';
import { resources } from './registry.js';
import { ErrorBodySchema, errorBody, errorNames } from './errors.js';
import {
  date,
  decimal,
  enumeration,
  IdParamSchema,
  integer,
  json,
  MAX_ID,
  text,
  timestamp,
  TimestampSchema,
  url,
} from './fields.js';
import { defineResource, type RouteMetadata } from './resource.js';
import { tasks, type Task, type TaskCreate, type TaskPatch, type TaskReplace } from './tasks.js';

// A second resource, declared only here, so the factory is tested on more than the one shape
// tasks happen to have: a uniqueness rule (409), a required field beside a defaulted one.
const widgetExample = { sku: 'W-0001', label: 'Blue widget', quantity: 4 };
const widgets = defineResource({
  name: 'widgets',
  singular: 'widget',
  fields: {
    sku: text(3, 12),
    label: text(1, 50),
    quantity: integer(0),
  },
  defaults: { quantity: 1 },
  unique: ['sku'],
  list: { sortable: ['sku', 'quantity'], filterable: ['quantity'], searchable: ['label'] },
  example: widgetExample,
});

const timestamps = {
  created_at: '2026-01-15T09:30:00.000Z',
  updated_at: '2026-01-15T10:00:00.000Z',
};

function issuesOf(schema: z.ZodTypeAny, value: unknown) {
  const result = schema.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.success ? [] : result.error.issues;
}

function statusesOf(route: { responses: Record<number, unknown> }): number[] {
  return Object.keys(route.responses)
    .map(Number)
    .sort((a, b) => a - b);
}

describe('create schema', () => {
  it('fills in every declared default and keeps what was sent', () => {
    expect(tasks.schemas.create.parse({ title: 'Buy milk' })).toEqual({
      title: 'Buy milk',
      description: null,
      complete: false,
      project_id: null,
    });
    const everything = { title: 'Milk', description: 'Two litres', complete: true, project_id: 3 };
    expect(tasks.schemas.create.parse(everything)).toEqual(everything);
    expect(widgets.schemas.create.parse({ sku: 'W-1', label: 'Red' })).toEqual({
      sku: 'W-1',
      label: 'Red',
      quantity: 1,
    });
  });

  it('requires every field that has no default, naming each one', () => {
    const taskIssues = issuesOf(tasks.schemas.create, {});
    expect(taskIssues.map((issue) => issue.path)).toEqual([['title']]);

    const widgetIssues = issuesOf(widgets.schemas.create, { quantity: 2 });
    expect(widgetIssues.map((issue) => issue.path.join('.')).sort()).toEqual(['label', 'sku']);
  });

  it('rejects unknown keys instead of silently dropping them', () => {
    const issues = issuesOf(tasks.schemas.create, { title: 'x', user_id: 'someone-else' });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.code).toBe('unrecognized_keys');
    expect(issues[0]).toMatchObject({ keys: ['user_id'] });
    issuesOf(widgets.schemas.create, { sku: 'W-1', label: 'Red', id: 5 });
  });

  it('checks the type of a field that has a default when it is sent', () => {
    const issues = issuesOf(tasks.schemas.create, { title: 'x', complete: 'yes' });
    expect(issues.map((issue) => issue.path)).toEqual([['complete']]);
    issuesOf(widgets.schemas.create, { sku: 'W-1', label: 'Red', quantity: 1.5 });
  });
});

describe('replace schema', () => {
  const fullTask: TaskReplace = { title: 'A', description: null, complete: true };

  it('accepts a complete body, including an explicit null', () => {
    expect(tasks.schemas.replace.parse(fullTask)).toEqual(fullTask);
  });

  it.each(['title', 'description', 'complete'] as const)(
    'requires %s even though create has a default for some fields',
    (missing) => {
      const body: Record<string, unknown> = { ...fullTask };
      delete body[missing];
      expect(issuesOf(tasks.schemas.replace, body).map((issue) => issue.path)).toEqual([[missing]]);
    },
  );

  it('applies no defaults on replace', () => {
    issuesOf(widgets.schemas.replace, { sku: 'W-1', label: 'Red' });
  });

  it('rejects unknown keys', () => {
    const issues = issuesOf(tasks.schemas.replace, { ...fullTask, id: 3 });
    expect(issues.map((issue) => issue.code)).toEqual(['unrecognized_keys']);
  });
});

describe('patch schema', () => {
  it('rejects an empty body with a message saying why', () => {
    const issues = issuesOf(tasks.schemas.patch, {});
    expect(issues.map((issue) => issue.message)).toEqual([
      'must contain at least one field to change',
    ]);
    issuesOf(widgets.schemas.patch, {});
  });

  it('rejects unknown keys, alone or beside a valid field', () => {
    expect(issuesOf(tasks.schemas.patch, { owner: 'x' })[0]?.code).toBe('unrecognized_keys');
    expect(issuesOf(tasks.schemas.patch, { title: 'ok', owner: 'x' })[0]?.code).toBe(
      'unrecognized_keys',
    );
  });

  it.each([
    ['title', 'New title'],
    ['description', 'New description'],
    ['description', null],
    ['complete', true],
  ])('accepts %s alone (%s)', (field, value) => {
    expect(tasks.schemas.patch.parse({ [field]: value })).toEqual({ [field]: value });
  });

  it.each(Object.entries(widgets.schemas.patch.innerType().shape))(
    'accepts any single widget field (%s)',
    (field) => {
      const value = widgetExample[field as keyof typeof widgetExample];
      expect(widgets.schemas.patch.parse({ [field]: value })).toEqual({ [field]: value });
    },
  );

  it('still validates the fields it is given', () => {
    expect(issuesOf(tasks.schemas.patch, { title: '' }).map((issue) => issue.path)).toEqual([
      ['title'],
    ]);
    issuesOf(tasks.schemas.patch, { complete: null });
  });
});

describe('response schema', () => {
  const stored = {
    id: 7,
    user_id: 'user-1',
    title: 'A',
    description: null,
    complete: false,
    project_id: null,
    version: 2,
    ...timestamps,
  };

  it('strips columns it does not declare, so a forgotten one cannot leak', () => {
    const sent = tasks.schemas.response.parse({
      ...stored,
      password_hash: 'secret',
      deleted_at: null,
    });
    expect(sent).toEqual(stored);
    expect(Object.keys(sent)).not.toContain('password_hash');
  });

  it('carries id, owner and timestamps around the declared fields', () => {
    expect(Object.keys(widgets.schemas.response.shape).sort()).toEqual(
      ['created_at', 'id', 'label', 'quantity', 'sku', 'updated_at', 'user_id', 'version'].sort(),
    );
    issuesOf(tasks.schemas.response, { ...stored, id: 0 });
    issuesOf(tasks.schemas.response, { ...stored, created_at: 'yesterday' });
  });

  it('keys the list by the resource name, with a count and the next page', () => {
    expect(Object.keys(tasks.schemas.list.shape).sort()).toEqual(['count', 'next_cursor', 'tasks']);
    expect(Object.keys(widgets.schemas.list.shape).sort()).toEqual([
      'count',
      'next_cursor',
      'widgets',
    ]);
    const page = { tasks: [stored], count: 1, next_cursor: null };
    expect(tasks.schemas.list.parse(page)).toEqual(page);
    issuesOf(widgets.schemas.list, { tasks: [], count: 0, next_cursor: null });
    issuesOf(tasks.schemas.list, { tasks: [], count: 0 });
  });
});

describe('IdParamSchema', () => {
  it.each([
    ['1', 1],
    [1, 1],
    ['42', 42],
    ['9007199254740991', MAX_ID],
    [MAX_ID, MAX_ID],
  ])('accepts %j as %d', (input, id) => {
    expect(IdParamSchema.parse(input)).toBe(id);
  });

  it.each([
    'abc',
    '-1',
    '0',
    '01',
    '1.5',
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    '',
    '9007199254740992',
    '99999999999999999999',
    0,
    -1,
    1.5,
    MAX_ID + 1,
    Number.POSITIVE_INFINITY,
  ])('rejects %j with the allowed range in the message', (input) => {
    expect(issuesOf(IdParamSchema, input).map((issue) => issue.message)).toEqual([
      `must be an integer from 1 to ${MAX_ID}`,
    ]);
  });

  it('rejects values that are neither numbers nor strings, and NaN', () => {
    for (const input of [Number.NaN, null, undefined, true, {}, [1]])
      issuesOf(IdParamSchema, input);
  });
});

describe('routes', () => {
  // 429: the per-user rate limit; 503: the database is away or the server is starting. A
  // create's 409 and 422 are its Idempotency-Key's (in use, used for another body); 304 is an
  // unchanged item; 412 and 428 a write's If-Match (not matched, required and missing).
  const withoutConflicts = {
    list: [200, 400, 401, 403, 429, 500, 503],
    create: [201, 400, 401, 403, 409, 413, 422, 429, 500, 503],
    get: [200, 304, 400, 401, 403, 404, 429, 500, 503],
    update: [200, 400, 401, 403, 404, 412, 413, 428, 429, 500, 503],
    patch: [200, 400, 401, 403, 404, 412, 413, 428, 429, 500, 503],
    remove: [204, 400, 401, 403, 404, 412, 428, 429, 500, 503],
  };
  const withConflicts = {
    ...withoutConflicts,
    update: [200, 400, 401, 403, 404, 409, 412, 413, 428, 429, 500, 503],
    patch: [200, 400, 401, 403, 404, 409, 412, 413, 428, 429, 500, 503],
  };

  it.each([
    ['tasks', tasks],
    ['widgets', widgets],
  ] as const)('puts the six %s routes at their paths and methods', (name, resource) => {
    const routes: Record<string, AppRoute> = resource.routes;
    expect(Object.keys(routes).sort()).toEqual(Object.keys(withoutConflicts).sort());
    const collection = `/api/:user_id/${name}`;
    const item = `/api/:user_id/${name}/:id`;
    expect(
      Object.fromEntries(
        Object.entries(routes).map(([key, route]) => [key, `${route.method} ${route.path}`]),
      ),
    ).toEqual({
      list: `GET ${collection}`,
      create: `POST ${collection}`,
      get: `GET ${item}`,
      update: `PUT ${item}`,
      patch: `PATCH ${item}`,
      remove: `DELETE ${item}`,
    });
  });

  it('declares exactly the statuses each task route can answer, and no 409 on a change', () => {
    const declared = Object.fromEntries(
      Object.entries(tasks.routes).map(([key, route]) => [key, statusesOf(route)]),
    );
    expect(declared).toEqual(withoutConflicts);
  });

  it('adds 409 to PUT and PATCH when the resource declares conflicts', () => {
    const declared = Object.fromEntries(
      Object.entries(widgets.routes).map(([key, route]) => [key, statusesOf(route)]),
    );
    expect(declared).toEqual(withConflicts);
  });

  it('makes every status strict, so an undeclared one is a server bug', () => {
    for (const route of [...Object.values(tasks.routes), ...Object.values(widgets.routes)]) {
      expect(route.strictStatusCodes).toBe(true);
    }
  });

  it('validates path parameters: the owner on all routes, the id on item routes', () => {
    const params = tasks.routes.get.pathParams;
    expect(params.parse({ user_id: 'u', id: '12' })).toEqual({ user_id: 'u', id: 12 });
    issuesOf(params, { user_id: 'u', id: '0' });
    issuesOf(params, { user_id: '', id: '1' });
    issuesOf(params, { user_id: 'x'.repeat(256), id: '1' });
    expect(tasks.routes.list.pathParams.parse({ user_id: 'u' })).toEqual({ user_id: 'u' });
  });

  it('uses the resource schemas as bodies and responses', () => {
    expect(tasks.routes.create.body).toBe(tasks.schemas.create);
    expect(tasks.routes.update.body).toBe(tasks.schemas.replace);
    expect(tasks.routes.patch.body).toBe(tasks.schemas.patch);
    expect(tasks.routes.create.responses[201]).toBe(tasks.schemas.response);
    expect(tasks.routes.list.responses[200]).toBe(tasks.schemas.list);
    expect(widgets.routes.create.responses[409]).toBe(ErrorBodySchema);
  });

  it('carries examples that the routes themselves accept', () => {
    const metadata = (route: { metadata?: unknown }) => route.metadata as RouteMetadata;
    for (const resource of [tasks, widgets]) {
      const { routes, schemas } = resource;
      for (const route of Object.values<AppRoute>(routes)) {
        expect(metadata(route).resource).toBe(resource.name);
      }
      expect(() => schemas.create.parse(metadata(routes.create).requestExample)).not.toThrow();
      expect(() => schemas.replace.parse(metadata(routes.update).requestExample)).not.toThrow();
      expect(() => schemas.patch.parse(metadata(routes.patch).requestExample)).not.toThrow();
      expect(() => schemas.response.parse(metadata(routes.get).responseExample)).not.toThrow();
      expect(() => schemas.list.parse(metadata(routes.list).responseExample)).not.toThrow();
    }
    expect(metadata(widgets.routes.patch).requestExample).toEqual({ sku: 'W-0001' });
  });

  it('is the contract the server and client share', () => {
    expect(Object.keys(contract)).toEqual([
      'health',
      'auth',
      'accountMail',
      'userData',
      'changes',
      ...Object.keys(resources),
    ]);
    expect(Object.keys(contract)).toEqual(expect.arrayContaining(['tasks', 'projects', 'notes']));
    for (const [key, route] of Object.entries(tasks.routes)) {
      const shared = contract.tasks[key as keyof typeof contract.tasks];
      expect(`${shared.method} ${shared.path}`).toBe(`${route.method} ${route.path}`);
      expect(statusesOf(shared)).toEqual(statusesOf(route));
    }
  });
});

describe('errorBody()', () => {
  it('uses the standard reason phrase and the status as a number', () => {
    expect(errorBody(404, 'Task not found')).toStrictEqual({
      error: 'Not Found',
      message: 'Task not found',
      status_code: 404,
    });
  });

  it('includes details only when given', () => {
    const details = [{ path: 'body.title', message: 'Required' }];
    expect(errorBody(400, 'Invalid request', details)).toStrictEqual({
      error: 'Bad Request',
      message: 'Invalid request',
      status_code: 400,
      details,
    });
    expect('details' in errorBody(400, 'Invalid request')).toBe(false);
  });

  it('always produces a body its own schema accepts', () => {
    for (const status of Object.keys(errorNames).map(Number) as (keyof typeof errorNames)[]) {
      const body = errorBody(status, 'm');
      expect(ErrorBodySchema.parse(body)).toStrictEqual(body);
      expect(body.error).toBe(errorNames[status]);
    }
  });
});

describe('types', () => {
  it('infers request and response types from the declaration', () => {
    expectTypeOf<TaskCreate>().toEqualTypeOf<{
      title: string;
      description?: string | null | undefined;
      complete?: boolean | undefined;
      project_id?: number | null | undefined;
    }>();
    // project_id came later: a PUT from a client that predates it stays valid.
    expectTypeOf<TaskReplace>().toEqualTypeOf<{
      title: string;
      description: string | null;
      complete: boolean;
      project_id?: number | null | undefined;
    }>();
    expectTypeOf<TaskPatch>().toEqualTypeOf<{
      title?: string | undefined;
      description?: string | null | undefined;
      complete?: boolean | undefined;
      project_id?: number | null | undefined;
    }>();
    expectTypeOf<Task>().toEqualTypeOf<{
      id: number;
      user_id: string;
      title: string;
      description: string | null;
      complete: boolean;
      project_id: number | null;
      version: number;
      created_at: string;
      updated_at: string;
    }>();
    expectTypeOf<z.infer<typeof widgets.schemas.list>>().toEqualTypeOf<{
      widgets: z.infer<typeof widgets.schemas.response>[];
      count: number | null;
      next_cursor: string | null;
    }>();
  });

  it('rejects wrong request bodies at compile time', () => {
    type CreateBody = ClientInferRequest<typeof contract.tasks.create>['body'];
    type WidgetCreateBody = z.input<typeof widgets.schemas.create>;
    const accept = <T>(body: T) => body;

    expect(accept<CreateBody>({ title: 'ok' })).toEqual({ title: 'ok' });
    // @ts-expect-error title has no default, so create needs it
    accept<CreateBody>({ complete: true });
    // @ts-expect-error complete is a boolean
    accept<CreateBody>({ title: 'ok', complete: 'yes' });
    // @ts-expect-error description is text or null
    accept<CreateBody>({ title: 'ok', description: 5 });
    // @ts-expect-error replace takes every field
    accept<TaskReplace>({ title: 'ok' });
    // @ts-expect-error sku is required; only quantity has a default
    accept<WidgetCreateBody>({ label: 'Red' });
    expect(accept<WidgetCreateBody>({ sku: 'W-1', label: 'Red' })).toEqual({
      sku: 'W-1',
      label: 'Red',
    });
  });

  it('rejects a declaration whose defaults or example do not fit its fields', () => {
    const fields = { name: text(1, 10), size: integer() };
    expect(
      defineResource({
        name: 'gadgets',
        singular: 'gadget',
        fields,
        // @ts-expect-error a default must have its field's type
        defaults: { size: 'big' },
        list: { sortable: [], filterable: [], searchable: [] },
        example: { name: 'G', size: 1 },
      }).name,
    ).toBe('gadgets');
    expect(
      defineResource({
        name: 'gadgets',
        singular: 'gadget',
        fields,
        defaults: {},
        list: { sortable: [], filterable: [], searchable: [] },
        // @ts-expect-error the example must show every field
        example: { name: 'G' },
      }).name,
    ).toBe('gadgets');
  });

  it('types what a list may do by kind: no sort or filter by json, q over text only', () => {
    const fields = { title: text(1, 10), at: timestamp(), data: json(), n: integer() };
    const declare = <S extends 'title' | 'at' | 'n', F extends 'title' | 'at' | 'n'>(list: {
      sortable: S[];
      filterable: F[];
      searchable: 'title'[];
    }) =>
      defineResource({
        name: 'kinds',
        singular: 'kind',
        fields,
        defaults: {},
        list,
        example: { title: 't', at: '2026-01-01T00:00:00.000Z', data: {}, n: 1 },
      });
    type Kinds = ReturnType<typeof declare<'at', 'n' | 'at'>>;
    type Query = ClientInferRequest<Kinds['routes']['list']>['query'];
    expect(declare({ sortable: ['at'], filterable: ['n', 'at'], searchable: ['title'] }).name).toBe(
      'kinds',
    );
    expectTypeOf<{ 'n[gte]': 3; 'at[lt]': '2026-01-01T00:00:00Z' }>().toMatchTypeOf<Query>();
    expectTypeOf<{ 'title[gte]': 'a' }>().not.toMatchTypeOf<Query>();
    expect(() =>
      defineResource({
        name: 'kinds',
        singular: 'kind',
        fields,
        defaults: {},
        // @ts-expect-error a json field cannot be sorted by
        list: { sortable: ['data'], filterable: [], searchable: [] },
        example: { title: 't', at: '2026-01-01T00:00:00.000Z', data: {}, n: 1 },
      }),
    ).toThrow('kinds.data: a json field cannot be sorted by');
    expect(() =>
      defineResource({
        name: 'kinds',
        singular: 'kind',
        fields,
        defaults: {},
        // @ts-expect-error q searches text fields only
        list: { sortable: [], filterable: [], searchable: ['n'] },
        example: { title: 't', at: '2026-01-01T00:00:00.000Z', data: {}, n: 1 },
      }),
    ).toThrow('q searches text, email and url fields only');
  });

  it('types each kind exactly for clients: decimals and dates as text, enums as unions', () => {
    const expenses = defineResource({
      name: 'expenses',
      singular: 'expense',
      fields: {
        amount: decimal(10, 2),
        spent_on: date(),
        at: timestamp().nullable(),
        category: enumeration(['food', 'travel', 'other']),
        receipt: url().nullable(),
        stars: integer(1, 5),
        settings: json(z.object({ theme: z.enum(['light', 'dark']) })),
      },
      defaults: { at: null, receipt: null },
      list: { sortable: [], filterable: ['amount', 'category'], searchable: [] },
      example: {
        amount: '12.50',
        spent_on: '2026-03-01',
        at: null,
        category: 'food',
        receipt: null,
        stars: 3,
        settings: { theme: 'dark' },
      },
    });
    type Body = ClientInferRequest<typeof expenses.routes.create>['body'];
    type Item = ServerInferResponses<typeof expenses.routes.get, 200>['body'];
    expectTypeOf<Item['amount']>().toEqualTypeOf<string>();
    expectTypeOf<Item['spent_on']>().toEqualTypeOf<string>();
    expectTypeOf<Item['at']>().toEqualTypeOf<string | null>();
    expectTypeOf<Item['category']>().toEqualTypeOf<'food' | 'travel' | 'other'>();
    expectTypeOf<Item['settings']>().toEqualTypeOf<{ theme: 'light' | 'dark' }>();
    const body = (value: Body) => value;
    const valid = {
      amount: '12.50',
      spent_on: '2026-03-01',
      category: 'food',
      stars: 2,
      settings: { theme: 'light' },
    } as const;
    expect(body(valid)).toBe(valid);
    // @ts-expect-error a decimal is a string, never a float
    body({ ...valid, amount: 12.5 });
    // @ts-expect-error an enumeration takes its values only
    body({ ...valid, category: 'rent' });
    // @ts-expect-error a date is its text, not a Date
    body({ ...valid, spent_on: new Date() });
    type Query = ClientInferRequest<typeof expenses.routes.list>['query'];
    expectTypeOf<{ 'amount[gte]': '10.00'; category: 'food' }>().toMatchTypeOf<Query>();
    expect(expenses.fieldSpecs.amount.columnType).toBe('numeric(10,2)');
  });

  it('types 409 on PUT and PATCH only when the resource declares unique fields', () => {
    type TaskPatchStatus = ServerInferResponses<typeof tasks.routes.patch>['status'];
    type WidgetPatchStatus = ServerInferResponses<typeof widgets.routes.patch>['status'];
    expectTypeOf<TaskPatchStatus>().toEqualTypeOf<
      200 | 400 | 401 | 403 | 404 | 412 | 413 | 428 | 429 | 500 | 503
    >();
    expectTypeOf<WidgetPatchStatus>().toEqualTypeOf<
      200 | 400 | 401 | 403 | 404 | 409 | 412 | 413 | 428 | 429 | 500 | 503
    >();
  });

  it("types a create's key answers (409 in flight, 422 reused), 304 on GET, 412/428 on DELETE", () => {
    type TaskCreateStatus = ServerInferResponses<typeof tasks.routes.create>['status'];
    expectTypeOf<TaskCreateStatus>().toEqualTypeOf<
      201 | 400 | 401 | 403 | 409 | 413 | 422 | 429 | 500 | 503
    >();
    expectTypeOf<ServerInferResponses<typeof widgets.routes.get>['status']>().toEqualTypeOf<
      200 | 304 | 400 | 401 | 403 | 404 | 429 | 500 | 503
    >();
    expectTypeOf<ServerInferResponses<typeof widgets.routes.remove>['status']>().toEqualTypeOf<
      204 | 400 | 401 | 403 | 404 | 412 | 428 | 429 | 500 | 503
    >();
  });
});

describe('TimestampSchema', () => {
  it('accepts ISO 8601 timestamps that carry an offset', () => {
    for (const value of [
      '2026-11-23T21:22:02.123Z',
      '2026-11-23T21:22:02Z',
      '2026-11-23T21:22:02+00:00',
    ]) {
      expect(TimestampSchema.safeParse(value).success, value).toBe(true);
    }
  });

  it('rejects timestamps without an offset and other strings', () => {
    for (const value of ['2026-11-23T21:22:02', '2026-11-23 21:22:02Z', 'yesterday', '']) {
      expect(TimestampSchema.safeParse(value).success, value).toBe(false);
    }
  });
});
