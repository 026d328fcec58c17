import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';

// After a write the server's answer is the item as it now is: put it into every cached page
// that holds it, so the screen changes at once, before the lists are read again.

type Page<TKey extends string, TItem> = Record<TKey, TItem[]>;

/** Replaces `item` (matched by id) in each cached list under `listsKey`. */
export function replaceInLists<TKey extends string, TItem extends { id: number }>(
  queryClient: QueryClient,
  listsKey: QueryKey,
  field: TKey,
  item: TItem,
): void {
  mapLists<TKey, TItem>(queryClient, listsKey, field, (items) =>
    items.map((each) => (each.id === item.id ? item : each)),
  );
}

/** Takes the item with `id` out of each cached list under `listsKey`. */
export function removeFromLists<TKey extends string, TItem extends { id: number }>(
  queryClient: QueryClient,
  listsKey: QueryKey,
  field: TKey,
  id: number,
): void {
  mapLists<TKey, TItem>(queryClient, listsKey, field, (items) =>
    items.filter((each) => each.id !== id),
  );
}

function mapLists<TKey extends string, TItem>(
  queryClient: QueryClient,
  listsKey: QueryKey,
  field: TKey,
  map: (items: TItem[]) => TItem[],
): void {
  queryClient.setQueriesData<InfiniteData<Page<TKey, TItem>>>({ queryKey: listsKey }, (data) =>
    data === undefined
      ? data
      : {
          ...data,
          pages: data.pages.map((page) => ({ ...page, [field]: map(page[field]) })),
        },
  );
}
