import { exactTime, formatTime } from './format-time';

/** An instant as a person reads it, the exact one in `datetime` and the tooltip. */
export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {formatTime(iso, Date.now())}
    </time>
  );
}

/** "Created 3 minutes ago · edited just now": when an item was made, and changed if it was. */
export function Timestamps({ item }: { item: { created_at: string; updated_at: string } }) {
  const edited = item.updated_at !== item.created_at;
  return (
    <p className="muted times">
      Created <Time iso={item.created_at} />
      {edited ? (
        <>
          {' · '}edited <Time iso={item.updated_at} />
        </>
      ) : null}
    </p>
  );
}
