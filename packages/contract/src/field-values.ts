// Readers of the values whose text the API defines exactly: decimals, dates and times. They
// run in the contract's schemas (requests, on the server and in clients) and on query strings.

/** A decimal column's size: `precision` digits, `scale` of them after the point. */
export interface DecimalLimits {
  precision: number;
  scale: number;
}

const DECIMAL = /^-?(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Whether `value` is a plain decimal (`-12.50`: no exponent, sign `+`, spaces or leading
 * zeros) that a `numeric(precision, scale)` holds exactly; trailing zeros after the point are
 * free, as they change nothing. Otherwise why not.
 */
export function checkDecimal(
  value: string,
  { precision, scale }: DecimalLimits,
): 'ok' | 'malformed' | 'too-many-digits' {
  const match = DECIMAL.exec(value);
  if (match === null) return 'malformed';
  const whole = match[1] === '0' ? 0 : (match[1] ?? '').length;
  const fraction = (match[2] ?? '').replace(/0+$/, '').length;
  return whole > precision - scale || fraction > scale ? 'too-many-digits' : 'ok';
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function validDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/** `value` when it is a date `YYYY-MM-DD` that exists (0001-01-01 to 9999-12-31). */
export function parseDate(value: string): string | undefined {
  const match = DATE.exec(value);
  if (match === null) return undefined;
  const [year = 0, month = 0, day = 0] = [match[1], match[2], match[3]].map(Number);
  return validDate(year, month, day) ? value : undefined;
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const FIRST_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const END_MS = new Date('+010000-01-01T00:00:00.000Z').getTime();

/**
 * The moment an ISO 8601 time with an offset names, in UTC to the millisecond
 * (`2026-03-01T09:30:00.000Z`); undefined for anything else, for a time that does not exist
 * (Feb 30, 24:00, a leap second), for more precision than a millisecond (digits past the
 * third must be zeros: nothing is rounded away) and outside years 0001 to 9999 in UTC.
 */
export function parseTimestamp(value: string): string | undefined {
  const match = TIMESTAMP.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', sign, oh = '0', om = '0'] = match;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = [y, mo, d, h, mi, s].map(
    Number,
  );
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (/[1-9]/.test(fraction.slice(3))) return undefined;
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (offsetHours > 14 || offsetMinutes > 59 || (offsetHours === 14 && offsetMinutes > 0)) {
    return undefined;
  }
  const moment = new Date(0);
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
  moment.setUTCFullYear(year, month - 1, day);
  moment.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = moment.getTime() - offset;
  if (utc < FIRST_MS || utc >= END_MS) return undefined;
  return new Date(utc).toISOString();
}
