import { randomBytes } from 'node:crypto';
import { resources } from '@enclave/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/harness.js';
import { fixtures, type Item, type SuiteResource } from '../../test/resource-fixtures.js';
import { readCatalog } from '../../test/table-catalog.js';
import { createTableStatements, tablePlan } from './resource-table.js';

// What every registered resource has of its own: a table that matches its declaration, and
// its six routes answering. The engine behind the routes is tested once, in engine.test.ts.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A value for each reference of `resource`'s example: an item of its own made for it. */
async function withReferences(
  resource: SuiteResource,
  userId: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const filled = { ...body };
  for (const [field, spec] of Object.entries(resource.fieldSpecs)) {
    if (spec.references === undefined || filled[field] === null) continue;
    const target = (resources as Record<string, SuiteResource>)[spec.references];
    if (target === undefined) throw new Error(`${resource.name}.${field} names no resource`);
    const f = fixtures(() => server, target);
    const owner = { id: userId, routes: f.routesWithToken(server.tokenFor(userId)) };
    filled[field] = (
      await f.create(owner, await withReferences(target, userId, target.example))
    ).id;
  }
  return filled;
}

describe.each(Object.values(resources) as SuiteResource[])('$name', (resource) => {
  it('has the table its declaration describes: columns, checks, keys and indexes', async () => {
    const schema = `expected_${randomBytes(6).toString('hex')}`;
    const db = server.db;
    await sql.raw(`create schema ${schema}`).execute(db);
    try {
      for (const statement of createTableStatements(tablePlan(resource), schema)) {
        await sql.raw(statement).execute(db);
      }
      const expected = await readCatalog(db, schema, resource.name);
      expect(await readCatalog(db, 'public', resource.name)).toEqual(expected);
    } finally {
      await sql.raw(`drop schema ${schema} cascade`).execute(db);
    }
  });

  it('answers its six routes with its example', async () => {
    const f = fixtures(() => server, resource);
    const user = f.newUser();
    const params = { user_id: user.id };
    const body = await withReferences(resource, user.id, resource.example);
    const created = await user.routes.create({ params, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const item = created.body as Item;
    expect(item).toMatchObject({ ...body, user_id: user.id, version: 1 });
    const id = item.id;
    expect(await user.routes.get({ params: { ...params, id } })).toMatchObject({
      status: 200,
      body: item,
    });
    expect(await user.routes.list({ params })).toMatchObject({
      status: 200,
      body: { [resource.name]: [item], count: 1, next_cursor: null },
    });
    const replaced = await user.routes.update({ params: { ...params, id }, body });
    expect(replaced).toMatchObject({ status: 200, body: { ...body, version: 2 } });
    const [field] = Object.keys(body) as [string];
    const patched = await user.routes.patch({
      params: { ...params, id },
      body: { [field]: body[field] },
    });
    expect(patched).toMatchObject({ status: 200, body: { version: 3 } });
    expect((await user.routes.remove({ params: { ...params, id } })).status).toBe(204);
    expect((await user.routes.get({ params: { ...params, id } })).status).toBe(404);
  });
});
