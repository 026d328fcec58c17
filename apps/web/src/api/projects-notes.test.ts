import type { Note, Project } from '@enclave/client';
import { MutationObserver, QueryClient, type InfiniteData } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi, type Api } from './client';
import { errorBody, fakeServer } from './fake-server';
import { noteKeys, updateNoteMutation } from './notes';
import { deleteProjectMutation, projectKeys } from './projects';
import { taskKeys } from './tasks';

const USER = 'user-1';
const stamps = {
  user_id: USER,
  created_at: '2026-01-15T09:30:00.000Z',
  updated_at: '2026-01-15T09:30:00.000Z',
};
const project = (id: number, changes: Partial<Project> = {}): Project => ({
  id,
  name: `Project ${id}`,
  description: null,
  archived: false,
  version: 1,
  ...stamps,
  ...changes,
});
const note = (id: number, changes: Partial<Note> = {}): Note => ({
  id,
  body: `Note ${id}`,
  pinned: false,
  version: 1,
  ...stamps,
  ...changes,
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
  queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retryDelay: 0 } },
  });
});

afterEach(() => {
  queryClient.clear();
  vi.unstubAllGlobals();
});

describe('deleteProjectMutation', () => {
  it('sends If-Match, takes the project out of the lists and marks the task lists stale', async () => {
    const listKey = projectKeys.list(USER, {});
    queryClient.setQueryData(listKey, {
      pages: [{ projects: [project(1), project(2)], count: 2, next_cursor: null }],
      pageParams: [undefined],
    });
    // The tasks filed under it are now in no project: whatever a task list shows is old.
    const tasksKey = taskKeys.list(USER, { projectId: 2 });
    queryClient.setQueryData(tasksKey, { pages: [], pageParams: [] });
    server.reply({ status: 204 });
    const remove = new MutationObserver(queryClient, deleteProjectMutation(api, queryClient));
    await remove.mutate(project(2, { version: 4 }));
    expect(server.sent[0]).toMatchObject({ method: 'DELETE' });
    expect(server.sent[0]?.url.pathname).toBe(`/api/${USER}/projects/2`);
    expect(server.sent[0]?.headers.get('if-match')).toBe('"4"');
    const cached =
      queryClient.getQueryData<InfiniteData<{ projects: Project[] }>>(listKey)?.pages[0]?.projects;
    expect(cached).toEqual([project(1)]);
    expect(queryClient.getQueryState(tasksKey)?.isInvalidated).toBe(true);
  });

  it('fails a 412 as "changed elsewhere", leaving the list as it was', async () => {
    server.reply({ status: 412, body: errorBody(412, 'changed') });
    const remove = new MutationObserver(queryClient, deleteProjectMutation(api, queryClient));
    const failure = await remove.mutate(project(2)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 412, kind: 'changed-elsewhere' });
  });
});

describe('updateNoteMutation', () => {
  it("sends only the changed text with the note's version, and puts the answer in the lists", async () => {
    const listKey = noteKeys.list(USER, {});
    queryClient.setQueryData(listKey, {
      pages: [{ notes: [note(1)], count: 1, next_cursor: null }],
      pageParams: [undefined],
    });
    const edited = note(1, { body: 'New text', version: 2 });
    server.reply({ status: 200, body: edited });
    const update = new MutationObserver(queryClient, updateNoteMutation(api, queryClient));
    await update.mutate({ note: note(1), changes: { body: 'New text' } });
    expect(server.sent[0]).toMatchObject({ method: 'PATCH', body: { body: 'New text' } });
    expect(server.sent[0]?.headers.get('if-match')).toBe('"1"');
    const cached =
      queryClient.getQueryData<InfiniteData<{ notes: Note[] }>>(listKey)?.pages[0]?.notes;
    expect(cached).toEqual([edited]);
  });
});
