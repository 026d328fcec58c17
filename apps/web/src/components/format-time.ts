// Times as a person reads them: "3 minutes ago" while recent, a date after that. The exact
// instant stays in <time datetime> (and its title) for machines and the curious.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface TimeFormatOptions {
  /** The locale to write in; the browser's by default. */
  locale?: string;
  /** The time zone to write in; the browser's by default. */
  timeZone?: string;
}

/** `iso` relative to `now` when under a day old, else as a medium date and short time. */
export function formatTime(iso: string, now: number, options: TimeFormatOptions = {}): string {
  const at = Date.parse(iso);
  const ago = now - at;
  if (ago >= 0 && ago < MINUTE) return 'just now';
  if (ago >= 0 && ago < DAY) {
    const relative = new Intl.RelativeTimeFormat(options.locale, { numeric: 'auto' });
    return ago < HOUR
      ? relative.format(-Math.floor(ago / MINUTE), 'minute')
      : relative.format(-Math.floor(ago / HOUR), 'hour');
  }
  return exactTime(iso, options);
}

/** The full date and time, e.g. for a tooltip. */
export function exactTime(iso: string, { locale, timeZone }: TimeFormatOptions = {}): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone === undefined ? {} : { timeZone }),
  }).format(new Date(iso));
}
