import { calendarDate } from '@divit/service-kit';

/**
 * A calendar date `YYYY-MM-DD` (rejects e.g. 2026-02-30) from 1900-01-01 to 2199-12-31 (outside that range 400:
 * PostgreSQL has no year 0, and no DIV-it fact lies there). Dates are Europe/Amsterdam calendar days.
 */
export const isoDate = calendarDate();

/** DIV-it started on 1 January 2024: no allocation, route or membership lies before it. */
export const DIVIT_START = '2024-01-01';

/** How far ahead a lease may start: 12 months after today (income norms are published per year). */
export const LEASE_START_MAX_MONTHS_AHEAD = 12;

/** `date` plus `months` calendar months (clamped to the month's last day), `YYYY-MM-DD`. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const amsterdamDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's calendar date in Europe/Amsterdam, `YYYY-MM-DD`. */
export function todayInAmsterdam(now: Date = new Date()): string {
  return amsterdamDay.format(now);
}

/**
 * Whether someone born on `birthDate` is 18 or older on `onDate` (both `YYYY-MM-DD`).
 * Compares the calendar dates as strings, so someone born on 29 February comes of age on 1 March
 * in a non-leap year [assumption: the law is silent; 1 March is the conservative reading].
 */
export function isAdultOn(birthDate: string, onDate: string): boolean {
  const year = Number(birthDate.slice(0, 4)) + 18;
  return `${String(year).padStart(4, '0')}${birthDate.slice(4)}` <= onDate;
}
