import { describe, expect, it } from 'vitest';
import { appPath, hrefOf, parseLocation, parseRoute, TASK_SORTS } from './routes';

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

describe('parseLocation', () => {
  const at = (address: string) => parseLocation(new URL(address, 'https://app.example'));

  it('opens a mailed link by its path, with its token', () => {
    expect(at('/reset-password?token=abc')).toEqual({ name: 'reset-password', token: 'abc' });
    expect(at('/verify-email?token=x%2By')).toEqual({ name: 'verify-email', token: 'x+y' });
    // The app served under a folder (APP_URL=https://host/app) works the same.
    expect(at('/app/verify-email/?token=t')).toEqual({ name: 'verify-email', token: 't' });
    // No token: the screen says the link is incomplete rather than sending nothing.
    expect(at('/reset-password')).toEqual({ name: 'reset-password', token: '' });
  });

  it('lets a hash route win, so a link clicked on a mailed screen goes where it says', () => {
    expect(at('/reset-password?token=abc#/sign-in')).toEqual({ name: 'sign-in' });
    expect(at('/reset-password?token=abc#/')).toEqual({ name: 'reset-password', token: 'abc' });
    expect(at('/#/notes')).toEqual({ name: 'notes' });
    expect(at('/')).toEqual({ name: 'tasks', filters: {} });
  });

  it('knows why the sign-in screen shows, and ignores what it does not know', () => {
    expect(at('/#/sign-in?after=account-deleted')).toEqual({
      name: 'sign-in',
      after: 'account-deleted',
    });
    expect(at('/#/sign-in?after=whatever')).toEqual({ name: 'sign-in' });
    expect(hrefOf({ name: 'sign-in', after: 'password-reset' })).toBe(
      '#/sign-in?after=password-reset',
    );
  });

  it('finds the app under a mailed path', () => {
    expect(appPath('/reset-password')).toBe('/');
    expect(appPath('/app/verify-email/')).toBe('/app/');
    expect(appPath('/')).toBe('/');
  });
});
