import { BillingTestApp, times, usageOf } from './support';

const MARCH = { periodStart: '2025-03-01', periodEnd: '2025-03-31' };

interface Result {
  route: string;
  invoicedTotalCents: number;
  split: { parts: { memberId: string; amountCents: number }[] };
}

/**
 * billing-reconciliation's payer scope is the shared coordinator rule (`OrganisationScope`, docs/adr/0018) on
 * billing's own tables. Three tenants: a route C collaboration X coordinated by its primus inter pares P, member
 * corporation M, and an unrelated corporation T with usage of its own. A route C collaboration is coordinated by its
 * PIP and by itself: when X holds the invoice, it is split over X's members in the period (billing's copy of the
 * rule knew only the PIP as coordinator of a route C organisation and billed X as if it were a lone corporation);
 * T's usage and T itself appear on no one else's invoice.
 */
describe('billing-reconciliation: payer scope by the shared coordinator rule (three tenants)', () => {
  const t = new BillingTestApp();
  let X = '';
  let P = '';
  let M = '';
  let T = '';

  const invoice = (number: string, payer: string) => ({
    invoiceNumber: number,
    issuer: 'LOGIUS',
    payerOrganisationId: payer,
    ...MARCH,
    currency: 'EUR',
    totalCents: 400,
    lines: [{ unit: 'DIGID_LOGIN', count: 4, amountCents: 400 }],
  });
  const close = async (payer: string): Promise<Result> => {
    const finance = t.token(payer, ['finance'], `finance-${payer.slice(0, 8)}`);
    const imported = await t.call('POST', '/invoices', finance, invoice(`INV-${payer.slice(0, 8)}`, payer));
    if (imported.status !== 201) throw new Error(`import for ${payer}: ${imported.status} ${imported.text}`);
    const closed = await t.call('POST', '/reconciliations/close', finance, {
      payerOrganisationId: payer,
      ...MARCH,
    });
    if (closed.status !== 201) throw new Error(`close for ${payer}: ${closed.status} ${closed.text}`);
    return closed.json.result as Result;
  };

  beforeAll(async () => {
    await t.start();
    P = await t.organisation('Corporatie PIP', 'CORPORATION', 'A');
    M = await t.organisation('Corporatie Lid', 'CORPORATION', 'A');
    T = await t.organisation('Woonstichting Derde', 'CORPORATION', 'A');
    X = await t.organisation('Samenwerking Noord', 'COLLABORATION', 'C', P);
    await t.member(X, P, 1000);
    await t.member(X, M, 1000);
    await t.waitForRows('housing_stock', 2);
    await t.usage([
      ...times(4, (i) => usageOf(X, 'DIGID_LOGIN', `2025-03-0${i + 1}T12:00:00Z`)),
      ...times(4, (i) => usageOf(T, 'DIGID_LOGIN', `2025-03-0${i + 1}T12:00:00Z`)),
    ]);
    await t.waitForRows('usage_records', 8);
  });
  afterAll(() => t.stop());

  it('the collaboration holding its invoice splits it over its members in the period (coordinator and member)', async () => {
    const result = await close(X);
    expect(result.route).toBe('C');
    expect(result.invoicedTotalCents).toBe(400);
    expect(result.split.parts.map((p) => p.memberId).sort()).toEqual([M, P].sort());
    expect(result.split.parts.reduce((n, p) => n + p.amountCents, 0)).toBe(400);
    expect(result.split.parts.map((p) => p.memberId)).not.toContain(T);
  });

  it('the unrelated corporation pays its own invoice alone and appears on no one else’s', async () => {
    const result = await close(T);
    expect(result.route).toBe('A');
    expect(result.split.parts.map((p) => p.memberId)).toEqual([T]);
    expect(result.invoicedTotalCents).toBe(400);
  });
});
