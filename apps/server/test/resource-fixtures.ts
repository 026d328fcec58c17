import type { Client, ErrorBody } from '@enclave/client';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { z } from 'zod';
import type { OwnedTableName } from '../src/db/schema.js';
import type { RegisteredResource } from '../src/resources/generic-resource.js';
import { newUserId, type TestServer } from './harness.js';

/** What the behaviour suite reads of a registered resource's declaration, widened. */
export type SuiteResource = RegisteredResource & {
  name: OwnedTableName;
  singular: string;
  fields: z.ZodRawShape;
  defaults: Record<string, unknown>;
  unique?: readonly string[];
  optionalOnReplace?: readonly string[];
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

export interface FieldKind {
  kind: 'text' | 'boolean' | 'number';
  nullable: boolean;
  min: number;
  max: number;
}

/** What a declared field holds, read from its schema (text() records its limits). */
export function fieldKind(schema: z.ZodTypeAny): FieldKind {
  const nullable = schema.isNullable();
  let base: z.ZodTypeAny = schema;
  while (base instanceof z.ZodNullable || base instanceof z.ZodOptional) {
    base = (base as z.ZodNullable<z.ZodTypeAny>).unwrap();
  }
  const limits = (base as { metaOpenApi?: { minLength?: number; maxLength?: number } }).metaOpenApi;
  if (limits?.maxLength !== undefined) {
    return { kind: 'text', nullable, min: limits.minLength ?? 0, max: limits.maxLength };
  }
  if (base instanceof z.ZodBoolean) return { kind: 'boolean', nullable, min: 0, max: 0 };
  if (base instanceof z.ZodNumber) return { kind: 'number', nullable, min: 1, max: 0 };
  throw new Error(`The behaviour suite cannot generate values of ${base.constructor.name}`);
}

// Plain lowercase words, out of order, so every collation sorts them as JavaScript does.
const WORDS = ['kilo', 'alpha', 'juliet', 'bravo', 'echo', 'delta', 'golf', 'charlie', 'hotel'];

/** The i-th sample value of a field: distinct per i for text, alternating for the rest. */
export function sampleValue(kind: FieldKind, i: number): unknown {
  if (kind.kind === 'boolean') return i % 2 === 0;
  if (kind.kind === 'number') {
    if (!kind.nullable) throw new Error('The behaviour suite cannot invent a non-null reference');
    return null;
  }
  if (kind.nullable && i % 3 === 2) return null;
  const word = WORDS[i % WORDS.length]!;
  return (word + ' '.repeat(kind.min)).slice(0, Math.max(kind.min, word.length));
}

/** A row read straight from a table, as the API would show it (times as ISO 8601 UTC). */
function asItem(row: Record<string, unknown>): Item {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column,
      value instanceof Date ? value.toISOString() : value,
    ]),
  ) as Item;
}

export function fixtures(server: () => TestServer, resource: SuiteResource) {
  const kinds = Object.fromEntries(
    Object.entries(resource.fields).map(([name, schema]) => [name, fieldKind(schema)]),
  );
  const fieldNames = Object.keys(kinds);
  const routesOf = (client: Client) => client[resource.name] as unknown as Routes;
  const Singular = resource.singular.charAt(0).toUpperCase() + resource.singular.slice(1);

  /** Every field, with the i-th sample values. */
  const sample = (i: number): Record<string, unknown> =>
    Object.fromEntries(fieldNames.map((name) => [name, sampleValue(kinds[name]!, i)]));

  const newUser = (): User => {
    const id = newUserId();
    return { id, routes: routesOf(server().clientFor(id)) };
  };

  /** A second client of the same user: another tab, another device. */
  const anotherClientOf = (user: User): User => ({
    id: user.id,
    routes: routesOf(server().clientFor(user.id)),
  });

  const create = async (user: User, body: Record<string, unknown> = sample(0)) => {
    const reply = await user.routes.create({ params: { user_id: user.id }, body });
    if (reply.status !== 201) throw new Error(`create answered ${reply.status}`);
    return reply.body as Item;
  };

  const createMany = async (user: User, count: number) => {
    const items: Item[] = [];
    for (let i = 0; i < count; i += 1) items.push(await create(user, sample(i)));
    return items;
  };

  // Read straight from the table, not through the API or by owner, so a check of "nothing
  // changed" cannot be fooled by the code under test.
  const stored = async (id: number): Promise<Item | undefined> => {
    const row = await server()
      .db.selectFrom(resource.name)
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && asItem(row);
  };

  const storedFor = async (owner: string): Promise<Item[]> => {
    const rows = await server()
      .db.selectFrom(resource.name)
      .selectAll()
      .where('user_id', '=', owner)
      .orderBy('id')
      .execute();
    return rows.map(asItem);
  };

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
    kinds,
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
    routesOf,
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
