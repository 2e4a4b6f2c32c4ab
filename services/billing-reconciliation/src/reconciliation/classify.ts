/**
 * Classifying the differences between what we counted and what was invoiced (pure).
 *
 * Per unit, with the tariff in force:
 * - count differences: counted > invoiced is explained first by late usage (arrived after the period was
 *   closed; the issuer had likely billed it already or will in a later period) → LATE_USAGE, the rest →
 *   USAGE_MISSING_ON_INVOICE; counted < invoiced → USAGE_MISSING_ON_OUR_SIDE;
 * - amount differences: the invoiced amount against invoiced count × tariff (rounded half up to the cent):
 *   within the tolerance → ROUNDING, beyond it → TARIFF_MISMATCH (with the price the invoice implies).
 * Nothing is hidden: every difference becomes a line; only ROUNDING counts as matched.
 */
export type DiscrepancyClass =
  'LATE_USAGE' | 'USAGE_MISSING_ON_OUR_SIDE' | 'USAGE_MISSING_ON_INVOICE' | 'TARIFF_MISMATCH' | 'ROUNDING';

export interface UnitFigures {
  unit: 'DIGID_LOGIN' | 'DATA_SHARING';
  counted: number;
  /** Of `counted`: usage that arrived while the period was closed. */
  late: number;
  invoicedCount: number;
  invoicedAmountCents: number;
  unitPriceMillicents: number;
}

export interface Discrepancy {
  unit: UnitFigures['unit'];
  class: DiscrepancyClass;
  /** Usage units behind the difference (0 for amount-only differences). */
  count: number;
  /** Money behind the difference, euro cents (positive: in our favour / more invoiced than expected). */
  amountCents: number;
  explanation: string;
}

/** Amount for a count at a tariff in millicents, rounded half up to the cent. */
export const amountFor = (count: number, millicents: number): number =>
  Number((BigInt(count) * BigInt(millicents) + 500n) / 1000n);

export function classify(units: readonly UnitFigures[], toleranceCents: number): Discrepancy[] {
  const out: Discrepancy[] = [];
  for (const u of units) {
    const diff = u.counted - u.invoicedCount;
    if (diff > 0) {
      const late = Math.min(diff, u.late);
      if (late > 0)
        out.push({
          unit: u.unit,
          class: 'LATE_USAGE',
          count: late,
          amountCents: amountFor(late, u.unitPriceMillicents),
          explanation: `${late} usage(s) arrived after the period was closed`,
        });
      if (diff - late > 0)
        out.push({
          unit: u.unit,
          class: 'USAGE_MISSING_ON_INVOICE',
          count: diff - late,
          amountCents: amountFor(diff - late, u.unitPriceMillicents),
          explanation: `we counted ${diff - late} more usage(s) than were invoiced`,
        });
    } else if (diff < 0) {
      out.push({
        unit: u.unit,
        class: 'USAGE_MISSING_ON_OUR_SIDE',
        count: -diff,
        amountCents: amountFor(-diff, u.unitPriceMillicents),
        explanation: `the invoice holds ${-diff} usage(s) we have no record of`,
      });
    }
    const expected = amountFor(u.invoicedCount, u.unitPriceMillicents);
    const amountDiff = u.invoicedAmountCents - expected;
    if (amountDiff !== 0) {
      const within = Math.abs(amountDiff) <= toleranceCents;
      out.push({
        unit: u.unit,
        class: within ? 'ROUNDING' : 'TARIFF_MISMATCH',
        count: 0,
        amountCents: amountDiff,
        explanation: within
          ? `invoiced ${u.invoicedAmountCents} vs ${expected} expected: within the tolerance of ${toleranceCents} cent(s)`
          : `invoiced ${u.invoicedAmountCents} vs ${expected} at the tariff of ${u.unitPriceMillicents} millicents` +
            (u.invoicedCount > 0
              ? `; the invoice implies ${Math.round((u.invoicedAmountCents * 1000) / u.invoicedCount)} millicents per unit`
              : ''),
      });
    }
  }
  return out;
}
