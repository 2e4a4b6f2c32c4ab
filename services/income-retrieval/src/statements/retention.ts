/**
 * The last day a used income statement is kept: 31 December of the year of the income decision (Europe/Amsterdam)
 * plus `years` (default 2: "end of year t+2"). The same anchor and rule as retention-cleanup's USED_INCOME policy
 * (trigger INCOME_DECISION at `decidedAt`, aligned to the year end, default P2Y), which erases the statement at
 * the start of the next day; the lease's own year is not the anchor (a decision in December for a lease in January
 * is audited with the decision's year). Issue 16 item 6.
 */
export function usedIncomeRetainUntil(decidedAt: Date, years: number): string {
  const year = Number(amsterdamYear.format(decidedAt));
  return `${year + years}-12-31`;
}

/**
 * Built once: constructing an `Intl.DateTimeFormat` costs ~100 µs, and this runs once per decision (it was 3 % of
 * the income benchmark's whole CPU profile, docs/benchmarks.md); `format` on a built one costs ~1 µs.
 */
const amsterdamYear = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', year: 'numeric' });
