import { z } from 'zod';
import { CALENDAR_DATE_RANGE } from '@divit/service-kit';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD, from 1900-01-01 to 2199-12-31 (PostgreSQL has no year 0). */
export function isValidIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  if (value < CALENDAR_DATE_RANGE.min || value > CALENDAR_DATE_RANGE.max) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export const isoDate = z
  .string()
  .refine(
    isValidIsoDate,
    `a calendar date written YYYY-MM-DD, from ${CALENDAR_DATE_RANGE.min} to ${CALENDAR_DATE_RANGE.max}`,
  )
  .describe(`A calendar date YYYY-MM-DD from ${CALENDAR_DATE_RANGE.min} to ${CALENDAR_DATE_RANGE.max}.`);

/** Days from `a` to `b` (calendar dates), b - a. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Today in Europe/Amsterdam as YYYY-MM-DD. */
export function todayInAmsterdam(now = new Date()): string {
  return amsterdamDay.format(now);
}

/** Built once (constructing an `Intl.DateTimeFormat` costs ~100 µs; `format` ~1 µs). */
const amsterdamDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' });
