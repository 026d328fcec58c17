import type { ErrorBody } from '@enclave/client';
import { fieldSpecOf, type FieldSpec } from '@enclave/contract';
import { initClient, initContract, type AppRouter } from '@ts-rest/core';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { z } from 'zod';
import type { OwnedTableName } from '../src/db/schema.js';
import type { RegisteredResource } from '../src/resources/generic-resource.js';
import { resourceColumns } from '../src/resources/resource-columns.js';
import { newUserId, type TestServer } from './harness.js';

/** What the behaviour suites read of a resource's declaration, widened. */
export type SuiteResource = RegisteredResource & {
  name: OwnedTableName;
  singular: string;
  fields: z.ZodRawShape;
  defaults: Record<string, unknown>;
  unique?: readonly string[];
  optionalOnReplace?: readonly string[];
  example: Record<string, unknown>;
  list: {
    sortable: readonly string[];
    filterable: readonly string[];
    searchable: readonly string[];
  };
};

export type Item = {
  id: number;
  user_id: string;
  version: number;
  created_at: string;
  updated_at: string;
} & Record<string, unknown>;

export interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A resource's six client methods, typed for any resource. */
export interface Routes {
  list(args: { params: { user_id: string }; query?: Record<string, unknown> }): Promise<Reply>;
  create(args: { params: { user_id: string }; body: unknown; headers?: Headers_ }): Promise<Reply>;
  get(args: {
    params: { user_id: string; id: number | string };
    headers?: Headers_;
  }): Promise<Reply>;
  update(args: { params: ItemParams; body: unknown; headers?: Headers_ }): Promise<Reply>;
  patch(args: { params: ItemParams; body: unknown; headers?: Headers_ }): Promise<Reply>;
  remove(args: { params: ItemParams; headers?: Headers_ }): Promise<Reply>;
}

type ItemParams = { user_id: string; id: number };
/** Request headers as the client takes them, by lower-case name. */
type Headers_ = Record<string, string>;

export interface User {
  id: string;
  routes: Routes;
}

/** A declared field as the suites see it: its spec and whether it may be null. */
export interface SuiteField {
  spec: FieldSpec;
  nullable: boolean;
}

export function suiteField(schema: z.ZodTypeAny): SuiteField {
  const spec = fieldSpecOf(schema);
  if (spec === undefined) throw new Error('The behaviour suites need fields declared with a kind');
  return { spec, nullable: schema.isNullable() };
}

// Plain lowercase words, out of order, so every collation sorts them as JavaScript does.
const WORDS = ['kilo', 'alpha', 'juliet', 'bravo', 'echo', 'delta', 'golf', 'charlie', 'hotel'];
// A permutation of 0-8, so numbers, dates and times sort in another order than the words.
const SHUFFLE = [4, 7, 1, 8, 0, 5, 2, 6, 3];

const schemaLimits = (spec: FieldSpec) =>
  spec.openApi as {
    minLength?: number;
    maxLength?: number;
    minimum?: number;
    maximum?: number;
    enum?: string[];
  };

/**
 * The i-th sample value of a field: distinct per i up to 9 (then repeating, which makes ties),
 * null every third time for a nullable field. As the API answers it, so a body of samples
 * reads back equal.
 */
export function sampleValue({ spec, nullable }: SuiteField, i: number): unknown {
  if (nullable && i % 3 === 2) return null;
  const word = WORDS[i % WORDS.length]!;
  const n = SHUFFLE[i % SHUFFLE.length]!;
  const limits = schemaLimits(spec);
  switch (spec.kind) {
    case 'text': {
      const min = limits.minLength ?? 0;
      return (word + ' '.repeat(min)).slice(
        0,
        Math.max(min, Math.min(word.length, limits.maxLength ?? 9)),
      );
    }
    case 'email':
      return `${word}@example.com`;
    case 'url':
      return `https://example.com/${word}`;
    case 'uuid':
      return `00000000-0000-4000-8000-00000000000${n}`;
    case 'integer': {
      const min = limits.minimum ?? 0;
      const span = (limits.maximum ?? min + 100) - min + 1;
      return min + ((n * 7) % Math.min(span, 1000));
    }
    case 'decimal':
      return decimalSample(spec, n);
    case 'boolean':
      return i % 2 === 0;
    case 'date':
      return [
        '2024-02-29',
        '2026-01-31',
        '2025-12-31',
        '2026-03-01',
        '2000-02-29',
        '2026-04-30',
        '1999-12-31',
        '2026-02-28',
        '2030-06-15',
      ][n];
    case 'timestamp':
      return new Date(Date.UTC(2026, n, 1 + n, n, 7 * n, n, 125 * n)).toISOString();
    case 'enumeration': {
      const values = limits.enum ?? [];
      return values[i % values.length];
    }
    case 'json':
      return { word, n };
    case 'reference':
      if (!nullable) throw new Error('The behaviour suites cannot invent a required reference');
      return null;
  }
}

// `<whole>.<fraction>` within the field's precision, with exactly its scale, as answered.
function decimalSample(spec: FieldSpec, n: number): string {
  const [precision, scale] = (/\d+,\d+/.exec(spec.columnType)?.[0] ?? '2,0').split(',').map(Number);
  const whole = precision! - scale!;
  const integer = whole === 0 ? '0' : String((n * 13) % 10 ** Math.min(whole, 3));
  return scale === 0 ? integer : `${integer}.${String(n).repeat(scale!)}`;
}

/** A typed client of one resource's six routes, as the client package builds one. */
function resourceClient(
  baseUrl: string,
  resource: SuiteResource,
  token: string | undefined,
): Routes {
  const router = (initContract().router as (routes: AppRouter) => AppRouter)(resource.routes);
  const headers: Record<string, string> =
    token === undefined ? {} : { authorization: `Bearer ${token}` };
  const client = initClient(
    { [resource.name]: router },
    { baseUrl, baseHeaders: headers, throwOnUnknownStatus: false },
  );
  return client[resource.name] as unknown as Routes;
}

export function fixtures(server: () => TestServer, resource: SuiteResource) {
  const fields = Object.fromEntries(
    Object.entries(resource.fields).map(([name, schema]) => [name, suiteField(schema)]),
  );
  const fieldNames = Object.keys(fields);
  const columns = resourceColumns(resource);
  const Singular = resource.singular.charAt(0).toUpperCase() + resource.singular.slice(1);

  /** Every field, with the i-th sample values. */
  const sample = (i: number): Record<string, unknown> =>
    Object.fromEntries(fieldNames.map((name) => [name, sampleValue(fields[name]!, i)]));

  /** The resource's routes, sending `token` (or none). */
  const routesWithToken = (token: string | undefined): Routes =>
    resourceClient(server().baseUrl, resource, token);

  const newUser = (): User => {
    const id = newUserId();
    return { id, routes: routesWithToken(server().tokenFor(id)) };
  };

  /** A second client of the same user: another tab, another device. */
  const anotherClientOf = (user: User): User => ({
    id: user.id,
    routes: routesWithToken(server().tokenFor(user.id)),
  });

  const create = async (user: User, body: Record<string, unknown> = sample(0)) => {
    const reply = await user.routes.create({ params: { user_id: user.id }, body });
    if (reply.status !== 201) {
      throw new Error(`create answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    }
    return reply.body as Item;
  };

  const createMany = async (user: User, count: number) => {
    const items: Item[] = [];
    for (let i = 0; i < count; i += 1) items.push(await create(user, sample(i)));
    return items;
  };

  // Read straight from the table, not through the API or by owner, so a check of "nothing
  // changed" cannot be fooled by the code under test; printed as the API prints values.
  const stored = async (id: number): Promise<Item | undefined> =>
    (await server()
      .db.selectFrom(resource.name)
      .select(columns.item() as never[])
      .where('id', '=', id)
      .executeTakeFirst()) as Item | undefined;

  const storedFor = async (owner: string): Promise<Item[]> =>
    (await server()
      .db.selectFrom(resource.name)
      .select(columns.item() as never[])
      .where('user_id', '=', owner)
      .orderBy('id')
      .execute()) as Item[];

  // Moves both timestamps an hour back, so "updated_at advanced" holds however coarse the
  // database's clock is.
  const backdate = async (id: number): Promise<Item> => {
    await sql`update ${sql.table(resource.name)} set created_at = created_at - interval '1 hour',
      updated_at = updated_at - interval '1 hour' where id = ${id}`.execute(server().db);
    const item = await stored(id);
    if (item === undefined) throw new Error(`${resource.singular} ${id} vanished`);
    return item;
  };

  return {
    fields,
    fieldNames,
    sample,
    newUser,
    anotherClientOf,
    create,
    createMany,
    stored,
    storedFor,
    backdate,
    Singular,
    routesWithToken,
  };
}

export type Fixtures = ReturnType<typeof fixtures>;

export function expectError(reply: Reply, status: number): ErrorBody {
  expect(reply.status).toBe(status);
  expect(reply.body).toMatchObject({ message: expect.any(String) as string, status_code: status });
  const body = reply.body as ErrorBody;
  expect(
    Object.keys(body)
      .filter((key) => key !== 'details')
      .sort(),
  ).toEqual(['error', 'message', 'status_code']);
  return body;
}

/** A 400 in the API's format whose `details` name exactly `paths`, each also in the message. */
export function expectInvalid(reply: Reply, paths: string[]): ErrorBody {
  const body = expectError(reply, 400);
  expect(body.error).toBe('Bad Request');
  const named = new Set(body.details?.map((detail) => detail.path));
  expect([...named].sort()).toEqual([...paths].sort());
  for (const path of paths) expect(body.message).toContain(path);
  return body;
}

export function expectTimestamp(value: string) {
  expect(new Date(value).toISOString()).toBe(value);
}
