import {
  createOnce,
  ifUnchanged,
  type Task,
  type TaskCreate,
  type TaskListQuery,
  type TaskPatch,
} from '@enclave/client';
import {
  infiniteQueryOptions,
  mutationOptions,
  queryOptions,
  type QueryClient,
} from '@tanstack/react-query';
import { retryWrite } from './api-error';
import { removeFromLists, replaceInLists } from './cache';
import { expectStatus, type Api } from './client';

/** Tasks a page holds; "Load more" asks for the next page by the last one's cursor. */
export const TASK_PAGE_SIZE = 20;

export type TaskSort = NonNullable<TaskListQuery['sort']>;

/** What the tasks screen shows: its filters, search and order (all optional). */
export interface TaskFilters {
  /** Only done (true) or open (false) tasks. */
  complete?: boolean;
  /** Only the tasks of this project; `null`: only tasks in no project. */
  projectId?: number | null;
  /** Text searched for in titles and descriptions. */
  q?: string;
  sort?: TaskSort;
}

// Keys nest from the user down, so a sign-out can drop a user's data, and a write can mark all
// of that user's task lists stale with one prefix.
export const taskKeys = {
  all: (userId: string) => ['tasks', userId] as const,
  lists: (userId: string) => ['tasks', userId, 'list'] as const,
  list: (userId: string, filters: TaskFilters) => ['tasks', userId, 'list', filters] as const,
  detail: (userId: string, id: number) => ['tasks', userId, 'detail', id] as const,
};

/** The list route's query for `filters` and a page: counted on the first page only. */
export function taskListQueryParams(filters: TaskFilters, cursor: string | undefined) {
  const q = filters.q?.trim();
  return {
    limit: TASK_PAGE_SIZE,
    ...(filters.sort === undefined ? {} : { sort: filters.sort }),
    ...(q === undefined || q === '' ? {} : { q }),
    ...(filters.complete === undefined ? {} : { complete: filters.complete }),
    // The query string carries `null` as text, which the API reads as "in no project".
    ...(filters.projectId === undefined
      ? {}
      : { project_id: filters.projectId === null ? 'null' : filters.projectId }),
    // The total does not change between pages; counting it again would cost for nothing.
    ...(cursor === undefined ? { count: 'exact' as const } : { cursor, count: 'none' as const }),
  } satisfies TaskListQuery;
}

/** The user's tasks matching `filters`, a page at a time. */
export function taskListQuery(api: Api, filters: TaskFilters) {
  return infiniteQueryOptions({
    queryKey: taskKeys.list(api.userId, filters),
    queryFn: async ({ pageParam, signal }) => {
      const answer = await api.call((client) =>
        client.tasks.list({
          params: { user_id: api.userId },
          query: taskListQueryParams(filters, pageParam),
          fetchOptions: { signal },
        }),
      );
      return expectStatus(answer, 200).body;
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** One task, as the server has it now. */
export function taskQuery(api: Api, id: number) {
  return queryOptions({
    queryKey: taskKeys.detail(api.userId, id),
    queryFn: async ({ signal }) => {
      const answer = await api.call((client) =>
        client.tasks.get({ params: { user_id: api.userId, id }, fetchOptions: { signal } }),
      );
      return expectStatus(answer, 200).body;
    },
  });
}

/** A create's variables: the key is made once per submit, so every retry sends the same one. */
export interface CreateTask {
  body: TaskCreate;
  idempotencyKey: string;
}

export function createTaskMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['tasks', api.userId, 'create'],
    mutationFn: async ({ body, idempotencyKey }: CreateTask) => {
      const answer = await api.call((client) =>
        client.tasks.create({
          params: { user_id: api.userId },
          body,
          headers: createOnce(idempotencyKey),
        }),
      );
      return expectStatus(answer, 201).body;
    },
    retry: retryWrite,
    onSuccess: (task) => {
      queryClient.setQueryData(taskKeys.detail(api.userId, task.id), task);
      return queryClient.invalidateQueries({ queryKey: taskKeys.lists(api.userId) });
    },
  });
}

/** A change to a task as it was read: `task` carries the version the change is based on. */
export interface UpdateTask {
  task: Task;
  changes: TaskPatch;
}

/** Changes some fields; answers 412 (an ApiError "changed-elsewhere") if someone else did. */
export function updateTaskMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['tasks', api.userId, 'update'],
    mutationFn: async ({ task, changes }: UpdateTask) => {
      const answer = await api.call((client) =>
        client.tasks.patch({
          params: { user_id: api.userId, id: task.id },
          body: changes,
          headers: ifUnchanged(task),
        }),
      );
      return expectStatus(answer, 200).body;
    },
    retry: retryWrite,
    onSuccess: (task) => {
      queryClient.setQueryData(taskKeys.detail(api.userId, task.id), task);
      replaceInLists(queryClient, taskKeys.lists(api.userId), 'tasks', task);
      // Filters and order may no longer hold for the changed task.
      return queryClient.invalidateQueries({ queryKey: taskKeys.lists(api.userId) });
    },
  });
}

/** Deletes a task unless it changed since it was read (412 then). */
export function deleteTaskMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['tasks', api.userId, 'delete'],
    mutationFn: async (task: Task) => {
      const answer = await api.call((client) =>
        client.tasks.remove({
          params: { user_id: api.userId, id: task.id },
          headers: ifUnchanged(task),
        }),
      );
      // Gone either way: a 404 is a delete made elsewhere, or a retried one that had worked.
      expectStatus(answer, 204, 404);
      return task;
    },
    retry: retryWrite,
    onSuccess: (task) => {
      queryClient.removeQueries({ queryKey: taskKeys.detail(api.userId, task.id) });
      removeFromLists(queryClient, taskKeys.lists(api.userId), 'tasks', task.id);
      return queryClient.invalidateQueries({ queryKey: taskKeys.lists(api.userId) });
    },
  });
}
