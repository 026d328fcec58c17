import type { Change } from '@enclave/client';
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { removeFromLists, replaceInLists } from './cache';
import { noteKeys } from './notes';
import { projectKeys } from './projects';
import { taskKeys } from './tasks';

// A change made elsewhere (another tab, another device of the same user), as the change
// stream tells it, applied to what this tab holds: an item changed or deleted is changed or
// taken out of every cached list at once; the lists are then read again, since a change may
// move an item into or out of a list (a filter, an order) that only the server can tell.

interface Keys {
  lists: (userId: string) => QueryKey;
  detail?: (userId: string, id: number) => QueryKey;
}

// Partial: a resource added to the registry has no screen (and no cache) here until one is written.
const keysOf: Partial<Record<Change['resource'], Keys>> = {
  tasks: taskKeys,
  projects: projectKeys,
  notes: noteKeys,
};

/** Applies one change of `userId`'s to the caches of this QueryClient. */
export function applyChange(queryClient: QueryClient, userId: string, change: Change): void {
  const keys = keysOf[change.resource];
  if (keys === undefined) return;
  const lists = keys.lists(userId);
  const detail = keys.detail?.(userId, change.id);
  if (change.item === null) {
    removeFromLists(queryClient, lists, change.resource, change.id);
    if (detail !== undefined) queryClient.removeQueries({ queryKey: detail, exact: true });
  } else {
    replaceInLists(queryClient, lists, change.resource, change.item);
    if (detail !== undefined) queryClient.setQueryData(detail, change.item);
  }
  void queryClient.invalidateQueries({ queryKey: lists });
}

/**
 * Marks everything of this user's this tab holds stale (the active queries read again): what
 * was read before the change stream opened may lack a change made just before it.
 */
export function invalidateAll(queryClient: QueryClient, userId: string): void {
  for (const keys of Object.values(keysOf)) {
    void queryClient.invalidateQueries({ queryKey: keys.lists(userId).slice(0, 2) });
  }
}
