/** Today's calendar date (YYYY-MM-DD) in Europe/Amsterdam, where DIV-it's effective dates live. */
export function amsterdamDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}
