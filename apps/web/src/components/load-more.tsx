interface Props {
  /** Whether the list has a next page; without one, nothing shows. */
  hasMore: boolean;
  /** Whether the next page is on its way: the button stays focusable but does nothing. */
  loading: boolean;
  onLoad: () => void;
}

/** The button under a list that fetches its next page by cursor. */
export function LoadMore({ hasMore, loading, onLoad }: Props) {
  if (!hasMore) return null;
  return (
    <button type="button" onClick={loading ? undefined : onLoad} aria-disabled={loading}>
      {loading ? 'Loading more…' : 'Load more'}
    </button>
  );
}
