import type { Change, Task } from '@enclave/client';
import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { applyChange } from './live-changes';
import { taskKeys } from './tasks';

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
type TaskPage = { tasks: Task[]; count: number | null; next_cursor: string | null };
const change = (op: Change['op'], item: Task | null, id = item?.id ?? 0): Change => ({
  cursor: 'c.s',
  resource: 'tasks',
  id,
  op,
  version: item?.version ?? 1,
  at: '2026-01-15T09:31:00.000Z',
  item,
});

function seeded() {
  const queryClient = new QueryClient();
  const listKey = taskKeys.list(USER, {});
  queryClient.setQueryData<InfiniteData<TaskPage>>(listKey, {
    pages: [{ tasks: [task(1), task(2)], count: 2, next_cursor: null }],
    pageParams: [undefined],
  });
  queryClient.setQueryData(taskKeys.detail(USER, 1), task(1));
  const list = () =>
    queryClient.getQueryData<InfiniteData<TaskPage>>(listKey)!.pages[0]!.tasks.map((t) => t.title);
  return { queryClient, list, listKey };
}

describe('applyChange', () => {
  it('puts an item changed elsewhere into every cached list and its detail, and marks lists stale', () => {
    const { queryClient, list, listKey } = seeded();
    const edited = task(1, { title: 'Edited elsewhere', version: 2 });
    applyChange(queryClient, USER, change('updated', edited));
    expect(list()).toEqual(['Edited elsewhere', 'Task 2']);
    expect(queryClient.getQueryData(taskKeys.detail(USER, 1))).toEqual(edited);
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(true);
  });

  it('takes a deleted item out of the lists and forgets its detail', () => {
    const { queryClient, list } = seeded();
    applyChange(queryClient, USER, change('deleted', null, 1));
    expect(list()).toEqual(['Task 2']);
    expect(queryClient.getQueryData(taskKeys.detail(USER, 1))).toBeUndefined();
  });

  it('marks the lists stale for an item created elsewhere, which only the server can place', () => {
    const { queryClient, list, listKey } = seeded();
    applyChange(queryClient, USER, change('created', task(3)));
    expect(list()).toEqual(['Task 1', 'Task 2']);
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(true);
  });

  it("leaves another user's cached data alone", () => {
    const { queryClient } = seeded();
    const otherKey = taskKeys.list('user-2', {});
    queryClient.setQueryData(otherKey, { pages: [], pageParams: [] });
    applyChange(queryClient, USER, change('updated', task(1, { version: 2 })));
    expect(queryClient.getQueryState(otherKey)?.isInvalidated).toBe(false);
  });
});
