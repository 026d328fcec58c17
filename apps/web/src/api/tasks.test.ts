import type { Task } from '@enclave/client';
import { MutationObserver, QueryClient, type InfiniteData } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { createApi, type Api } from './client';
import { errorBody, fakeServer } from './fake-server';
import {
  createTaskMutation,
  deleteTaskMutation,
  TASK_PAGE_SIZE,
  taskKeys,
  taskListQuery,
  taskListQueryParams,
  taskQuery,
  updateTaskMutation,
} from './tasks';

const USER = 'user-1';
const task = (id: number, changes: Partial<Task> = {}): Task => ({
  id,
  user_id: USER,
  title: `Task ${id}`,
  description: null,
  complete: false,
  project_id: null,
  version: 1,
  created_at: '2026-01-15T09:30:00.000Z',
  updated_at: '2026-01-15T09:30:00.000Z',
  ...changes,
});
const page = (tasks: Task[], next_cursor: string | null, count: number | null = tasks.length) => ({
  tasks,
  count,
  next_cursor,
});

let server: ReturnType<typeof fakeServer>;
let api: Api;
let queryClient: QueryClient;

beforeEach(() => {
  server = fakeServer();
  const tokens = {
    accessToken: () => Promise.resolve('the-token'),
    refresh: () => Promise.resolve('the-token'),
    signOutLocally: vi.fn(() => Promise.resolve()),
  };
  api = createApi({ baseUrl: 'http://api.test', userId: USER, tokens });
  // Reads not retried (a test sees the first answer); writes retried at once.
  queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retryDelay: 0 } },
  });
});

afterEach(() => {
  queryClient.clear();
  vi.unstubAllGlobals();
});

describe('task query keys', () => {
  it("nest under the user, so one prefix reaches all of a user's lists", () => {
    expect(taskKeys.list(USER, { q: 'milk' })).toEqual(['tasks', USER, 'list', { q: 'milk' }]);
    expect(taskKeys.list(USER, {}).slice(0, 3)).toEqual(taskKeys.lists(USER));
    expect(taskKeys.detail(USER, 7)).toEqual(['tasks', USER, 'detail', 7]);
    expect(taskKeys.lists(USER).slice(0, 2)).toEqual(taskKeys.all(USER));
  });
});

describe('taskListQueryParams', () => {
  it('sends only what the filters say, and counts on the first page only', () => {
    expect(taskListQueryParams({}, undefined)).toEqual({ limit: TASK_PAGE_SIZE, count: 'exact' });
    expect(
      taskListQueryParams(
        { complete: false, projectId: 4, q: '  milk ', sort: 'title' },
        'abc.def',
      ),
    ).toEqual({
      limit: TASK_PAGE_SIZE,
      sort: 'title',
      q: 'milk',
      complete: false,
      project_id: 4,
      cursor: 'abc.def',
      count: 'none',
    });
  });

  it('asks for the tasks in no project with project_id=null, and drops a blank search', () => {
    expect(taskListQueryParams({ projectId: null, q: '   ' }, undefined)).toEqual({
      limit: TASK_PAGE_SIZE,
      project_id: 'null',
      count: 'exact',
    });
  });
});

describe('taskListQuery', () => {
  it("reads the user's list with the filters in the query string", async () => {
    server.reply({ status: 200, body: page([task(2), task(1)], 'next.cursor', 3) });
    const data = await queryClient.fetchInfiniteQuery(
      taskListQuery(api, { complete: true, projectId: null, sort: '-title' }),
    );
    expect(data.pages).toEqual([page([task(2), task(1)], 'next.cursor', 3)]);
    const [request] = server.sent;
    expect(request?.method).toBe('GET');
    expect(request?.url.pathname).toBe(`/api/${USER}/tasks`);
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({
      limit: String(TASK_PAGE_SIZE),
      sort: '-title',
      complete: 'true',
      project_id: 'null',
      count: 'exact',
    });
    expect(request?.headers.get('authorization')).toBe('Bearer the-token');
  });

  it('asks for the next page by the cursor, and stops when there is none', async () => {
    const options = taskListQuery(api, {});
    expect(options.getNextPageParam(page([task(1)], 'c.1'), [], undefined, [])).toBe('c.1');
    expect(options.getNextPageParam(page([task(1)], null), [], undefined, [])).toBeUndefined();
    server.reply(
      { status: 200, body: page([task(3), task(2)], 'c.1', 3) },
      { status: 200, body: page([task(1)], null, null) },
    );
    const data = await queryClient.fetchInfiniteQuery({ ...options, pages: 2 });
    expect(data.pages.flatMap((each) => each.tasks.map(({ id }) => id))).toEqual([3, 2, 1]);
    expect(server.sent[1]?.url.searchParams.get('cursor')).toBe('c.1');
    expect(server.sent[1]?.url.searchParams.get('count')).toBe('none');
  });

  it('fails with an ApiError that says what to do (503: the banner and a retry)', async () => {
    server.reply({ status: 503, body: errorBody(503, 'down'), headers: { 'retry-after': '1' } });
    const failure = await queryClient
      .fetchInfiniteQuery(taskListQuery(api, {}))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 503, kind: 'unavailable', retryAfterMs: 1000 });
  });
});

describe('taskQuery', () => {
  it('reads one task by id; another user’s is "not found"', async () => {
    server.reply({ status: 200, body: task(7) }, { status: 404, body: errorBody(404, 'nope') });
    expect(await queryClient.fetchQuery(taskQuery(api, 7))).toEqual(task(7));
    expect(server.sent[0]?.url.pathname).toBe(`/api/${USER}/tasks/7`);
    const failure = await queryClient.fetchQuery(taskQuery(api, 8)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'not-found' });
  });
});

describe('task mutations', () => {
  it('create sends its Idempotency-Key, the same on a retry, and refreshes the lists', async () => {
    queryClient.setQueryData(taskKeys.list(USER, {}), { pages: [], pageParams: [] });
    server.reply(
      { status: 503, body: errorBody(503, 'down'), headers: { 'retry-after': '0' } },
      { status: 201, body: task(9, { title: 'New' }) },
    );
    const created = await new MutationObserver(
      queryClient,
      createTaskMutation(api, queryClient),
    ).mutate({ body: { title: 'New' }, idempotencyKey: 'key-1' });
    expect(created).toEqual(task(9, { title: 'New' }));
    expect(server.sent.map((request) => request.headers.get('idempotency-key'))).toEqual([
      'key-1',
      'key-1',
    ]);
    expect(server.sent[1]).toMatchObject({ method: 'POST', body: { title: 'New' } });
    expect(queryClient.getQueryData(taskKeys.detail(USER, 9))).toEqual(created);
    expect(queryClient.getQueryState(taskKeys.list(USER, {}))?.isInvalidated).toBe(true);
  });

  it('update sends If-Match with the version it was based on, and puts the answer in the lists', async () => {
    const before = task(3, { version: 4 });
    const listKey = taskKeys.list(USER, {});
    queryClient.setQueryData<InfiniteData<ReturnType<typeof page>>>(listKey, {
      pages: [page([task(4), before], null)],
      pageParams: [undefined],
    });
    const after = { ...before, complete: true, version: 5 };
    server.reply({ status: 200, body: after, headers: { etag: '"5"' } });
    await new MutationObserver(queryClient, updateTaskMutation(api, queryClient)).mutate({
      task: before,
      changes: { complete: true },
    });
    expect(server.sent[0]).toMatchObject({ method: 'PATCH', body: { complete: true } });
    expect(server.sent[0]?.headers.get('if-match')).toBe('"4"');
    const cached = queryClient.getQueryData<InfiniteData<ReturnType<typeof page>>>(listKey);
    expect(cached?.pages[0]?.tasks).toEqual([task(4), after]);
    expect(queryClient.getQueryData(taskKeys.detail(USER, 3))).toEqual(after);
  });

  it('update answered 412 fails as "changed elsewhere", not retried', async () => {
    server.reply({ status: 412, body: errorBody(412, 'changed'), headers: { etag: '"6"' } });
    const failure = await new MutationObserver(queryClient, updateTaskMutation(api, queryClient))
      .mutate({ task: task(3, { version: 5 }), changes: { title: 'Mine' } })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 412, kind: 'changed-elsewhere' });
    expect(server.sent).toHaveLength(1);
  });

  it('delete sends If-Match, takes the task out of the lists, and counts a 404 as gone', async () => {
    const listKey = taskKeys.list(USER, {});
    queryClient.setQueryData(listKey, {
      pages: [page([task(2), task(1)], null)],
      pageParams: [undefined],
    });
    server.reply({ status: 204 }, { status: 404, body: errorBody(404, 'Task not found') });
    const remove = new MutationObserver(queryClient, deleteTaskMutation(api, queryClient));
    await remove.mutate(task(2, { version: 3 }));
    expect(server.sent[0]).toMatchObject({ method: 'DELETE' });
    expect(server.sent[0]?.headers.get('if-match')).toBe('"3"');
    const cached = queryClient.getQueryData<InfiniteData<ReturnType<typeof page>>>(listKey);
    expect(cached?.pages[0]?.tasks).toEqual([task(1)]);
    await expect(remove.mutate(task(1))).resolves.toEqual(task(1));
  });
});
