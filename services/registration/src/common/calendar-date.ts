import { z } from 'zod';

/** A calendar date `YYYY-MM-DD` (rejects e.g. 2026-02-30). Dates are Europe/Amsterdam calendar days. */
export const isoDate = z.iso.date();

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
