/** Today's calendar date (YYYY-MM-DD) in Europe/Amsterdam, where DIV-it's effective dates live. */
export function amsterdamDate(at: Date): string {
  return amsterdamDay.format(at);
}

/** Built once (constructing an `Intl.DateTimeFormat` costs ~100 µs; `format` ~1 µs). */
const amsterdamDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
