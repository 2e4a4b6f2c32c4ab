import { z } from 'zod';

/**
 * Input bounds at the schema layer (issue 13): values outside these ranges are refused with a 400 naming the field,
 * instead of reaching PostgreSQL (which has no year 0) or a consumer that can never process them.
 */

/** The widest calendar-date range any field accepts; fields narrow it where the domain allows less. */
export const CALENDAR_DATE_RANGE = { min: '1900-01-01', max: '2199-12-31' } as const;

export interface DateBounds {
  /** Earliest accepted date, inclusive (default 1900-01-01). */
  min?: string;
  /** Latest accepted date, inclusive (default 2199-12-31). */
  max?: string;
}

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 is refused) within `bounds`, inclusive. */
export function calendarDate(bounds: DateBounds = {}) {
  const min = bounds.min ?? CALENDAR_DATE_RANGE.min;
  const max = bounds.max ?? CALENDAR_DATE_RANGE.max;
  return z.iso
    .date({ abort: true })
    .refine((v) => v >= min && v <= max, `must be a date from ${min} to ${max}`)
    .describe(`A calendar date YYYY-MM-DD from ${min} to ${max}.`);
}

/** An ISO 8601 date-time with offset, within the calendar-date range (by its UTC instant). */
export function instant(bounds: DateBounds = {}) {
  const min = bounds.min ?? CALENDAR_DATE_RANGE.min;
  const max = bounds.max ?? CALENDAR_DATE_RANGE.max;
  const from = Date.parse(`${min}T00:00:00Z`);
  const to = Date.parse(`${max}T23:59:59.999Z`);
  return z.iso
    .datetime({ offset: true, abort: true })
    .refine((v) => {
      const at = Date.parse(v);
      return at >= from && at <= to;
    }, `must be an instant from ${min} to ${max}`)
    .describe(`An ISO 8601 date-time with offset, from ${min} to ${max}.`);
}

/** Control characters (C0, DEL, C1) and lone surrogates; multi-line text may keep tab, line feed and return. */
const CONTROL = /[\p{Cc}\p{Cs}]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\p{Cs}]/u;

/** True when the text contains a control character (for code that reads files rather than JSON bodies). */
export function hasControlCharacters(value: string, options: { multiline?: boolean } = {}): boolean {
  return (options.multiline ? CONTROL_EXCEPT_WHITESPACE : CONTROL).test(value);
}

/**
 * Text without control characters (NUL, escape, …): trimmed, `min`..`max` characters. `multiline` allows tab,
 * line feed and carriage return.
 */
export function plainText(options: { min?: number; max: number; multiline?: boolean }) {
  return z
    .string()
    .trim()
    .min(options.min ?? 1)
    .max(options.max)
    .refine(
      (v) => !hasControlCharacters(v, options),
      options.multiline
        ? 'must not contain control characters other than tab and line breaks'
        : 'must not contain control characters',
    );
}
