// The one reading of `Retry-After` (RFC 9110 §10.2.3) in the client and the apps that use it:
// the fetcher's retries, the session's errors and the web app's waits all go by it.

/** Seconds (`Retry-After: 3`) or an HTTP date, as milliseconds from now; undefined if neither. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month in letters; without them, Date.parse would still
  // read `1.5` or `-1` as dates in 2001 (so "at once"), where they are simply not a wait.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The same in whole seconds, a date's fraction rounded up (waiting less would be too early). */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  const ms = retryAfterMs(value, now);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}
