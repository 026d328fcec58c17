import { describe, expect, it } from 'vitest';
import { unscopedStatements } from './owner-scope.js';

const tables = ['tasks', 'projects'];
const check = (sql: string, parameters: unknown[] = []) =>
  unscopedStatements([{ sql, parameters }], tables);

// A list page and its count in one statement: two subqueries, each scoped to an owner.
const pageWithCount = (countWhere: string, pageWhere: string) =>
  `select "counted"."total", "page"."id" from (select count(*) as "total" from "tasks" where ${countWhere}) as "counted" ` +
  `left join lateral (select "id" from "tasks" where ${pageWhere} order by "id" asc limit $3) as "page" on true order by "page"."id" asc`;

describe('unscopedStatements', () => {
  it.each([
    'select "id" from "tasks" where "user_id" = $1 and "id" = $2',
    'select "id" from "tasks" where ("user_id" = $1 and "complete" = $2) and ("created_at", "id") < ($3, $4) order by "id" desc limit $5',
    'select "id" from "tasks" where ("user_id" = $1 and ("title" ilike $2 or "description" ilike $3)) limit $4',
    'select count(*) as "total" from "projects" where ("user_id" = $1)',
    'update "tasks" set "title" = $1 where "user_id" = $2 and "id" = $3 returning "id"',
    'delete from "projects" where "user_id" = $1 and "id" = $2',
    'insert into "tasks" ("title", "user_id") values ($1, $2) returning "id"',
    'select * from "kysely_migration"',
  ])('accepts %s', (sql) => {
    expect(check(sql)).toEqual([]);
  });

  it.each([
    'select "id" from "tasks" where "id" = $1',
    'select "id" from "tasks"',
    'select "id" from "tasks" where "user_id" = $1 or "id" = $2',
    'select "id" from "tasks" where ("user_id" = $1 or "id" = $2) and "id" = $3',
    'select "id" from "tasks" where "title" = $1 and ("user_id" = $2 or true)',
    'select "id" from "tasks" where "owner_user_id" = $1',
    'select "id" from "tasks" where "user_id" = "user_id"',
    'update "tasks" set "title" = $1 where "id" = $2',
    'delete from "projects"',
    'insert into "tasks" ("title") values ($1)',
    'select "id" from "tasks" where "user_id" = $1 and "project_id" in (select "id" from "projects")',
    'select * from "tasks" join "projects" on true where "tasks"."user_id" = $1',
  ])('rejects %s', (sql) => {
    expect(check(sql)).toEqual([sql]);
  });

  it('accepts subqueries that are each scoped to the same owner', () => {
    const sql = pageWithCount('"user_id" = $1', '"user_id" = $2');
    expect(check(sql, ['ann', 'ann', 51])).toEqual([]);
  });

  it('accepts a page selected from one scoped subquery, and rejects it unscoped', () => {
    const page = (where: string) =>
      `select "page"."id" from (select "id" from "tasks" where ${where} order by "id" asc limit $2) as "page" order by "page"."id" asc`;
    expect(check(page('"user_id" = $1'), ['ann', 51])).toEqual([]);
    expect(check(page('"id" = $1'), [7, 51])).toEqual([page('"id" = $1')]);
  });

  it('accepts a page whose count is a subquery beside it, and rejects one unscoped', () => {
    const page = (countWhere: string) =>
      `select "page"."id", case when count(*) over() = $1 then (select count(*) as "total" from "tasks" where ${countWhere}) end as "total" ` +
      `from (select "id" from "tasks" where "user_id" = $3 order by "id" asc limit $4) as "page" order by "page"."id" asc`;
    expect(check(page('"user_id" = $2'), [51, 'ann', 'ann', 51])).toEqual([]);
    expect(check(page('"user_id" = $2'), [51, 'bob', 'ann', 51])).toEqual([page('"user_id" = $2')]);
    expect(check(page('true'), [51, 'ann', 'ann', 51])).toEqual([page('true')]);
  });

  it('rejects subqueries scoped to two different owners', () => {
    const sql = pageWithCount('"user_id" = $1', '"user_id" = $2');
    expect(check(sql, ['ann', 'bob', 51])).toEqual([sql]);
  });

  it('rejects a subquery that is not scoped, beside one that is', () => {
    const sql = pageWithCount('"user_id" = $1', '"id" = $2');
    expect(check(sql, ['ann', 'ann', 51])).toEqual([sql]);
  });

  it('rejects an owned table outside the subqueries', () => {
    const sql = `${pageWithCount('"user_id" = $1', '"user_id" = $2')} and exists (select 1 from "projects")`;
    expect(check(sql, ['ann', 'ann', 51])).toEqual([sql]);
  });
});
