import type { ReactNode } from 'react';

/** A form's or a screen's error that is not one field's: read out as soon as it appears. */
export function ErrorNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-error" role="alert">
      {children}
    </div>
  );
}

/** "Loading…" that screen readers hear, and that takes the place of what is loading. */
export function Loading({ children }: { children: ReactNode }) {
  return (
    <p className="loading" role="status">
      {children}
    </p>
  );
}

/** An edit refused with 412: someone changed the item first. Reload shows their version. */
export function ChangedElsewhere({ what, onReload }: { what: string; onReload: () => void }) {
  return (
    <div className="notice notice-warning" role="alert">
      <p>
        <strong>Changed elsewhere.</strong> This {what} was changed in another tab or on another
        device after you opened it, so your change was not saved. Reload to see the current version,
        then make your change again.
      </p>
      <button type="button" onClick={onReload}>
        Reload
      </button>
    </div>
  );
}
