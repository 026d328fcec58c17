import { useUnavailable } from '../session-context';

/**
 * Shown while the server is not answering (503, or no answer): the requests behind it are
 * being retried, and it goes away with the first answer. The live region is always in the
 * page, so screen readers announce the text when it appears.
 */
export function UnavailableBanner() {
  const unavailable = useUnavailable();
  return (
    <div className="banner-slot" role="status" aria-live="polite">
      {unavailable ? (
        <p className="banner" data-testid="unavailable-banner">
          The server is unavailable right now. Retrying automatically…
        </p>
      ) : null}
    </div>
  );
}
