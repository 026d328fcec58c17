import {
  createOnce,
  ifUnchanged,
  type Note,
  type NoteCreate,
  type NotePatch,
} from '@enclave/client';
import { infiniteQueryOptions, mutationOptions, type QueryClient } from '@tanstack/react-query';
import { retryWrite } from './api-error';
import { removeFromLists, replaceInLists } from './cache';
import { expectStatus, type Api } from './client';

export const NOTE_PAGE_SIZE = 20;

export interface NoteFilters {
  /** Only pinned (true) or unpinned (false) notes. */
  pinned?: boolean;
}

export const noteKeys = {
  all: (userId: string) => ['notes', userId] as const,
  lists: (userId: string) => ['notes', userId, 'list'] as const,
  list: (userId: string, filters: NoteFilters) => ['notes', userId, 'list', filters] as const,
};

/** The user's notes, newest first, a page at a time. */
export function noteListQuery(api: Api, filters: NoteFilters = {}) {
  return infiniteQueryOptions({
    queryKey: noteKeys.list(api.userId, filters),
    queryFn: async ({ pageParam, signal }) => {
      const answer = await api.call((client) =>
        client.notes.list({
          params: { user_id: api.userId },
          query: {
            limit: NOTE_PAGE_SIZE,
            ...(filters.pinned === undefined ? {} : { pinned: filters.pinned }),
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

export interface CreateNote {
  body: NoteCreate;
  idempotencyKey: string;
}

export function createNoteMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['notes', api.userId, 'create'],
    mutationFn: async ({ body, idempotencyKey }: CreateNote) => {
      const answer = await api.call((client) =>
        client.notes.create({
          params: { user_id: api.userId },
          body,
          headers: createOnce(idempotencyKey),
        }),
      );
      return expectStatus(answer, 201).body;
    },
    retry: retryWrite,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: noteKeys.lists(api.userId) }),
  });
}

/** A change to a note as it was read: `note` carries the version it is based on. */
export interface UpdateNote {
  note: Note;
  changes: NotePatch;
}

/** Edits or (un)pins a note as it was read (412 if it changed since). */
export function updateNoteMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['notes', api.userId, 'update'],
    mutationFn: async ({ note, changes }: UpdateNote) => {
      const answer = await api.call((client) =>
        client.notes.patch({
          params: { user_id: api.userId, id: note.id },
          body: changes,
          headers: ifUnchanged(note),
        }),
      );
      return expectStatus(answer, 200).body;
    },
    retry: retryWrite,
    onSuccess: (note) => {
      replaceInLists(queryClient, noteKeys.lists(api.userId), 'notes', note);
      return queryClient.invalidateQueries({ queryKey: noteKeys.lists(api.userId) });
    },
  });
}

export function deleteNoteMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['notes', api.userId, 'delete'],
    mutationFn: async (note: Note) => {
      const answer = await api.call((client) =>
        client.notes.remove({
          params: { user_id: api.userId, id: note.id },
          headers: ifUnchanged(note),
        }),
      );
      expectStatus(answer, 204, 404);
      return note;
    },
    retry: retryWrite,
    onSuccess: (note) => {
      removeFromLists(queryClient, noteKeys.lists(api.userId), 'notes', note.id);
      return queryClient.invalidateQueries({ queryKey: noteKeys.lists(api.userId) });
    },
  });
}
