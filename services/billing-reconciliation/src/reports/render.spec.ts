import { parse } from 'csv-parse/sync';
import type { ReconciliationRow } from '../reconciliation/reconciliation.repository';
import { discrepanciesCsv, statementCsv, statementsCsv } from './render';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const PAYER = '00000000-0000-4000-8000-0000000000ff';

const row: ReconciliationRow = {
  reconciliationId: '00000000-0000-4000-8000-000000000001',
  payerOrganisationId: PAYER,
  periodStart: '2026-01-01',
  periodEnd: '2026-01-31',
  version: 2,
  status: 'CLOSED',
  closedAt: '2026-02-01T00:00:00.000Z',
  closedBy: 'finance',
  reopenedAt: null,
  reopenReason: null,
  result: {
    payerOrganisationId: PAYER,
    route: 'B',
    collaborationId: null,
    periodStart: '2026-01-01',
    periodEnd: '2026-01-31',
    issuer: 'LOGIUS',
    toleranceCents: 1,
    invoices: [],
    primaryInvoice: { invoiceId: 'i', invoiceNumber: '=INV-1' },
    invoicedTotalCents: 1000,
    countedAmountCents: 1000,
    units: [],
    discrepancies: [
      {
        unit: 'DIGID_LOGIN',
        class: 'OVERCHARGED' as never,
        count: 3,
        amountCents: -250,
        explanation: 'counted 3 fewer, "logins", than invoiced\nsee the ledger',
      },
    ],
    status: 'DIFFERENCES',
    split: {
      basis: 'EQUAL',
      keyEffectiveFrom: null,
      totalCents: 1000,
      parts: [
        {
          memberId: A,
          amountCents: 1250,
          attributableCents: 250,
          sharedCents: 1000,
          attributableUsageCount: 5,
          keyShareNumerator: 1,
          keyShareDenominator: 2,
        },
        {
          memberId: B,
          amountCents: -250,
          attributableCents: 0,
          sharedCents: -250,
          attributableUsageCount: 0,
          keyShareNumerator: 1,
          keyShareDenominator: 2,
        },
      ],
    },
    calculatedAt: '2026-02-01T00:00:00.000Z',
  },
};

const names = {
  [A]: '=HYPERLINK("http://evil.example","Woonbron, Oost")',
  [B]: 'De Kade\nRotterdam',
  [PAYER]: '@payer',
};
const readBack = (csv: string): string[][] => parse(csv);

describe('finance CSV outputs', () => {
  it('the statements export quotes commas, quotes and newlines and escapes formula names; numbers stay numbers', () => {
    const csv = statementsCsv(row, names);
    const records = readBack(csv);
    expect(records[1]).toEqual([A, `'${names[A]}`, '5', '250', '1000', '1250', '12.50', 'EQUAL', '1', '2']);
    expect(records[2]).toEqual([
      B,
      'De Kade\nRotterdam',
      '0',
      '0',
      '-250',
      '-250',
      '-2.50',
      'EQUAL',
      '1',
      '2',
    ]);
    expect(records[3]).toEqual(['TOTAL', '', '', '', '', '1000', '10.00', '', '', '']);
    expect(csv).toContain(`${B},"De Kade\nRotterdam",0,0,-250,-250,-2.50,EQUAL,1,2\n`);
    expect(records).toHaveLength(4);
  });

  it('one member statement escapes the payer name and the invoice number', () => {
    const records = readBack(statementCsv(row, B, names));
    expect(Object.fromEntries(records)).toMatchObject({
      memberName: 'De Kade\nRotterdam',
      payerName: "'@payer",
      invoiceNumber: "'=INV-1",
      amountCents: '-250',
      amountEur: '-2.50',
    });
  });

  it('the discrepancy report keeps a quoted multi-line explanation in one cell', () => {
    const records = readBack(discrepanciesCsv(row, []));
    expect(records).toHaveLength(2);
    expect(records[1]).toEqual([
      'DISCREPANCY',
      'DIGID_LOGIN',
      'OVERCHARGED',
      '3',
      '-250',
      'counted 3 fewer, "logins", than invoiced\nsee the ledger',
      '',
      '',
      '',
    ]);
  });
});
