import {
  createOnce,
  ifUnchanged,
  type Project,
  type ProjectCreate,
  type ProjectPatch,
} from '@enclave/client';
import { infiniteQueryOptions, mutationOptions, type QueryClient } from '@tanstack/react-query';
import { retryWrite } from './api-error';
import { removeFromLists, replaceInLists } from './cache';
import { expectStatus, type Api } from './client';
import { taskKeys } from './tasks';

/** The API's largest page: few people have more projects, so one page is usually all. */
export const PROJECT_PAGE_SIZE = 100;

export interface ProjectFilters {
  /** Only archived (true) or active (false) projects. */
  archived?: boolean;
}

export const projectKeys = {
  all: (userId: string) => ['projects', userId] as const,
  lists: (userId: string) => ['projects', userId, 'list'] as const,
  list: (userId: string, filters: ProjectFilters) => ['projects', userId, 'list', filters] as const,
};

/** The user's projects by name, a page at a time. */
export function projectListQuery(api: Api, filters: ProjectFilters = {}) {
  return infiniteQueryOptions({
    queryKey: projectKeys.list(api.userId, filters),
    queryFn: async ({ pageParam, signal }) => {
      const answer = await api.call((client) =>
        client.projects.list({
          params: { user_id: api.userId },
          query: {
            limit: PROJECT_PAGE_SIZE,
            sort: 'name',
            ...(filters.archived === undefined ? {} : { archived: filters.archived }),
            ...(pageParam === undefined ? {} : { cursor: pageParam, count: 'none' as const }),
          },
          fetchOptions: { signal },
        }),
      );
      return expectStatus(answer, 200).body;
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export interface CreateProject {
  body: ProjectCreate;
  idempotencyKey: string;
}

/** Creates a project; a name the user already has answers 409 naming `body.name`. */
export function createProjectMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['projects', api.userId, 'create'],
    mutationFn: async ({ body, idempotencyKey }: CreateProject) => {
      const answer = await api.call((client) =>
        client.projects.create({
          params: { user_id: api.userId },
          body,
          headers: createOnce(idempotencyKey),
        }),
      );
      return expectStatus(answer, 201).body;
    },
    retry: retryWrite,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: projectKeys.lists(api.userId) }),
  });
}

export interface UpdateProject {
  project: Project;
  changes: ProjectPatch;
}

export function updateProjectMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['projects', api.userId, 'update'],
    mutationFn: async ({ project, changes }: UpdateProject) => {
      const answer = await api.call((client) =>
        client.projects.patch({
          params: { user_id: api.userId, id: project.id },
          body: changes,
          headers: ifUnchanged(project),
        }),
      );
      return expectStatus(answer, 200).body;
    },
    retry: retryWrite,
    onSuccess: (project) => {
      replaceInLists(queryClient, projectKeys.lists(api.userId), 'projects', project);
      return queryClient.invalidateQueries({ queryKey: projectKeys.lists(api.userId) });
    },
  });
}

/**
 * Deletes a project unless it changed since it was read (412). Its tasks stay, in no project
 * (the database sets their project_id to null), so the task lists are read again too.
 */
export function deleteProjectMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['projects', api.userId, 'delete'],
    mutationFn: async (project: Project) => {
      const answer = await api.call((client) =>
        client.projects.remove({
          params: { user_id: api.userId, id: project.id },
          headers: ifUnchanged(project),
        }),
      );
      // Gone either way: a 404 is a delete made elsewhere, or a retried one that had worked.
      expectStatus(answer, 204, 404);
      return project;
    },
    retry: retryWrite,
    onSuccess: async (project) => {
      removeFromLists(queryClient, projectKeys.lists(api.userId), 'projects', project.id);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: projectKeys.lists(api.userId) }),
        queryClient.invalidateQueries({ queryKey: taskKeys.all(api.userId) }),
      ]);
    },
  });
}
