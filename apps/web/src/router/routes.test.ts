import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, TASK_SORTS } from './routes';

describe('parseRoute', () => {
  it.each([
    ['', { name: 'tasks', filters: {} }],
    ['#/', { name: 'tasks', filters: {} }],
    ['#/sign-in', { name: 'sign-in' }],
    ['#/sign-up', { name: 'sign-up' }],
    ['#/projects', { name: 'projects' }],
    ['#/notes', { name: 'notes' }],
    ['#/tasks/42', { name: 'task', id: 42 }],
    ['#/tasks/42/', { name: 'task', id: 42 }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it.each(['#/tasks/0', '#/tasks/-1', '#/tasks/1e3', '#/tasks/abc', '#/tasks/1/2', '#/nope'])(
    '%s is not found (no request is made for it)',
    (hash) => {
      expect(parseRoute(hash)).toMatchObject({ name: 'not-found' });
    },
  );

  it('reads the task filters from the query, ignoring what it does not know', () => {
    expect(parseRoute('#/tasks?status=done&project=12&q=milk&sort=-title')).toEqual({
      name: 'tasks',
      filters: { complete: true, projectId: 12, q: 'milk', sort: '-title' },
    });
    expect(parseRoute('#/tasks?status=open&project=none')).toEqual({
      name: 'tasks',
      filters: { complete: false, projectId: null },
    });
    expect(parseRoute('#/tasks?status=maybe&project=x&q=%20&sort=password')).toEqual({
      name: 'tasks',
      filters: {},
    });
  });
});

describe('hrefOf', () => {
  it('writes what parseRoute reads', () => {
    const routes = [
      { name: 'tasks', filters: {} },
      { name: 'tasks', filters: { complete: false, projectId: null, q: 'a & b?', sort: 'title' } },
      { name: 'tasks', filters: { complete: true, projectId: 7 } },
      { name: 'task', id: 9 },
      { name: 'projects' },
      { name: 'notes' },
      { name: 'sign-in' },
      { name: 'sign-up' },
    ] as const;
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
    expect(hrefOf({ name: 'tasks', filters: {} })).toBe('#/tasks');
    expect(hrefOf({ name: 'task', id: 9 })).toBe('#/tasks/9');
  });

  it('offers every sort the API takes for tasks, newest first by default', () => {
    expect(TASK_SORTS[0]?.value).toBe('-created_at');
    expect(new Set(TASK_SORTS.map(({ value }) => value)).size).toBe(TASK_SORTS.length);
  });
});
