import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { integer, json, text } from './fields.js';
import { listQuerySchema } from './list-query.js';
import { tasks, type TaskListQuery } from './tasks.js';

const query = tasks.schemas.listQuery;

function rejected(value: unknown): string[] {
  const result = query.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('list query schema', () => {
  it('defaults to 50 items, newest first, counted exactly', () => {
    expect(query.parse({})).toEqual({ limit: 50, sort: '-created_at', count: 'exact' });
    expect(query.parse({ count: 'none' })).toMatchObject({ count: 'none' });
    expect(query.safeParse({ count: 'estimate' }).success).toBe(false);
  });

  it('reads query-string text and typed values alike', () => {
    expect(
      query.parse({ limit: '10', complete: 'true', project_id: '12', sort: 'title', q: 'milk' }),
    ).toEqual({
      limit: 10,
      complete: true,
      project_id: 12,
      sort: 'title',
      q: 'milk',
      count: 'exact',
    });
    expect(query.parse({ limit: 100, complete: false, project_id: 3 })).toMatchObject({
      limit: 100,
      complete: false,
      project_id: 3,
    });
    expect(query.parse({ project_id: 'null' })).toMatchObject({ project_id: null });
    expect(query.parse({ project_id: null })).toMatchObject({ project_id: null });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '01' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ complete: 'yes' }, 'complete'],
    [{ complete: 'null' }, 'complete'],
    [{ project_id: '0' }, 'project_id'],
    [{ project_id: '1e3' }, 'project_id'],
    [{ sort: 'description' }, 'sort'],
    [{ sort: '-' }, 'sort'],
    [{ q: '' }, 'q'],
    [{ q: 'a\u0000' }, 'q'],
    [{ cursor: '' }, 'cursor'],
    [{ cursor: 'a.b.c' }, 'cursor'],
    [{ unknown: '1' }, ''],
  ])('rejects %j, naming %s', (value, path) => {
    expect(rejected(value)).toEqual([path]);
  });

  it('explains what a parameter must be', () => {
    const result = query.safeParse({ limit: 'many' });
    expect(result.success ? '' : result.error.issues[0]?.message).toBe(
      'must be a whole number from 1 to 100',
    );
  });

  it('lets typed clients pass real booleans and numbers', () => {
    expectTypeOf<{ complete: true; project_id: 5; limit: 10 }>().toMatchTypeOf<TaskListQuery>();
    expectTypeOf<{ sort: '-title' }>().toMatchTypeOf<TaskListQuery>();
    expectTypeOf<{ sort: 'description' }>().not.toMatchTypeOf<TaskListQuery>();
  });

  it('takes range bounds on the times every item has, and refuses other ranges', () => {
    expect(query.parse({ 'created_at[gte]': '2026-01-01T01:00:00+01:00' })).toMatchObject({
      'created_at[gte]': '2026-01-01T00:00:00.000Z',
    });
    expect(rejected({ 'created_at[gte]': 'yesterday' })).toEqual(['created_at[gte]']);
    expect(rejected({ 'title[gte]': 'a' })).toEqual(['']);
    expect(rejected({ 'project_id[lt]': '3' })).toEqual(['']);
  });

  it('refuses a declaration that lists what a field of its kind cannot do', () => {
    const fields = { name: text(1, 10), note: text(0, 10).nullable(), data: json(), n: integer() };
    const list = (declared: Partial<Record<'sortable' | 'filterable' | 'searchable', string[]>>) =>
      listQuerySchema('things', fields, {
        sortable: [],
        filterable: [],
        searchable: [],
        ...declared,
      } as never);
    expect(() => list({ sortable: ['note'] })).not.toThrow();
    expect(() => list({ sortable: ['data'] })).toThrow(
      'things.data: a json field cannot be sorted by',
    );
    expect(() => list({ filterable: ['data'] })).toThrow(
      'things.data: a json field cannot be a filter',
    );
    expect(() => list({ searchable: ['n'] })).toThrow('q searches text, email and url fields only');
    expect(() => list({ filterable: ['missing'] })).toThrow(
      'things: the list names an unknown field missing',
    );
    expect(() =>
      listQuerySchema('things', { tags: z.array(z.string()) }, {
        sortable: [],
        filterable: ['tags'],
        searchable: [],
      } as never),
    ).toThrow('things.tags: declare the field with a kind');
  });
});
