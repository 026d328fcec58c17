import { describe, expect, it } from 'vitest';
import { exactTime, formatTime } from './format-time';

const options = { locale: 'en-GB', timeZone: 'UTC' };
const now = Date.parse('2026-03-10T12:00:00.000Z');

describe('formatTime', () => {
  it('says recent times relative to now', () => {
    expect(formatTime('2026-03-10T11:59:30.000Z', now, options)).toBe('just now');
    expect(formatTime('2026-03-10T11:59:00.000Z', now, options)).toBe('1 minute ago');
    expect(formatTime('2026-03-10T11:15:00.000Z', now, options)).toBe('45 minutes ago');
    expect(formatTime('2026-03-10T09:00:00.000Z', now, options)).toBe('3 hours ago');
  });

  it('says older times, and times ahead of a wrong clock, as a date', () => {
    expect(formatTime('2026-03-08T09:05:00.000Z', now, options)).toBe('8 Mar 2026, 09:05');
    expect(formatTime('2026-03-10T12:05:00.000Z', now, options)).toBe('10 Mar 2026, 12:05');
  });

  it('writes the exact time in the given zone', () => {
    expect(exactTime('2026-03-08T23:30:00.000Z', { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe(
      '9 Mar 2026, 08:30',
    );
  });
});
