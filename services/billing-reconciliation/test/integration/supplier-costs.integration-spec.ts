import { BillingTestApp } from './support';

type Part = { memberId: string; amountCents: number; keyShareNumerator: number; keyShareDenominator: number };
type Cost = { supplierCostId: string; basis: string; parts: Part[]; amountCents: number };

/**
 * Issue 16 item 8, on the real stack: costs a software or service supplier passes on are imported and split like a
 * MijnOverheid invoice, over the payer's members by its allocation key, to the cent, with a settlement event per
 * member; the same cost is imported once; another tenant cannot import for, or read, a payer that is not its own.
 */
describe('billing-reconciliation: supplier costs split like MijnOverheid invoices (issue 16 item 8)', () => {
  const t = new BillingTestApp();
  let allocator = '';
  let m1 = '';
  let m2 = '';
  let routeA = '';
  let finance = '';

  const cost = (change: Record<string, unknown> = {}) => ({
    supplier: 'WOONSOFT',
    invoiceNumber: 'WS-2025-118',
    payerOrganisationId: allocator,
    periodStart: '2025-03-01',
    periodEnd: '2025-03-31',
    currency: 'EUR',
    description: 'DIV-it module, March (pass-through of MijnOverheid costs and a service fee)',
    amountCents: 100_001,
    ...change,
  });

  beforeAll(async () => {
    await t.start();
    allocator = await t.organisation('Woonruimteverdeler Leverancier', 'HOUSING_ALLOCATOR', 'B');
    m1 = await t.organisation('Corporatie Drie', 'CORPORATION', 'A');
    m2 = await t.organisation('Corporatie Een', 'CORPORATION', 'A');
    routeA = await t.organisation('Zelfstandige Corporatie', 'CORPORATION', 'A');
    await t.member(allocator, m1, 3000);
    await t.member(allocator, m2, 1000);
    await t.waitForRows('housing_stock', 2);
    finance = t.token(allocator, ['finance'], 'finance-allocator');
  });
  afterAll(() => t.stop());

  it('splits an imported supplier cost over the members by housing stock, to the cent, and announces each part', async () => {
    const res = await t.call('POST', '/supplier-costs', finance, { costs: [cost()] });
    expect(res.status).toBe(201);
    const [imported] = res.json as unknown as Cost[];
    expect(imported?.basis).toBe('HOUSING_STOCK');
    const parts = Object.fromEntries((imported?.parts ?? []).map((p) => [p.memberId, p.amountCents]));
    // 100 001 × 3/4 = 75 000.75 and × 1/4 = 25 000.25: the odd cent goes to the larger remainder.
    expect(parts).toEqual({ [m1]: 75_001, [m2]: 25_000 });
    const events = await t.eventsMatching(
      (e) =>
        e.type.endsWith('SupplierCostSettlementCalculated') &&
        e.value.supplierCostId === imported?.supplierCostId,
      2,
    );
    expect(events.reduce((a, e) => a + Number(e.value.amountCents), 0)).toBe(100_001);
    expect(events.every((e) => e.key === allocator && e.value.supplierCostTotalCents === 100_001)).toBe(true);
    // No MemberSettlementCalculated: the MijnOverheid settlement sets of the period are not touched.
    expect(t.received.filter((e) => e.type.endsWith('MemberSettlementCalculated'))).toEqual([]);

    const csv = await t.raw('GET', `/supplier-costs/${imported?.supplierCostId ?? ''}/statements`, {
      headers: { authorization: `Bearer ${finance}` },
    });
    expect(csv.type).toContain('text/csv');
    expect(csv.body.toString('utf8')).toContain('TOTAL,,HOUSING_STOCK,,,100001,1000.01');
  });

  it('imports the same cost once; the same number with other content is refused; a route A payer pays alone', async () => {
    const again = await t.call('POST', '/supplier-costs', finance, { costs: [cost()] });
    expect(again.status).toBe(201);
    expect(await t.count('supplier_costs')).toBe(1);
    const changed = await t.call('POST', '/supplier-costs', finance, {
      costs: [cost({ amountCents: 100_002 })],
    });
    expect(changed).toMatchObject({ status: 409, json: { code: 'SUPPLIER_COST_CONFLICT' } });
    const own = await t.call('POST', '/supplier-costs', t.token(routeA, ['admin']), {
      costs: [cost({ payerOrganisationId: routeA, invoiceNumber: 'WS-2025-119', amountCents: 4_999 })],
    });
    expect(own.status).toBe(201);
    expect((own.json as unknown as Cost[])[0]).toMatchObject({
      basis: 'OWN_INVOICE',
      parts: [{ memberId: routeA, amountCents: 4_999 }],
    });
    await expect(t.query(`UPDATE supplier_costs SET amount_cents = 1`)).rejects.toThrow(/never changed/);
  });

  it("two tenants: another payer's cost cannot be imported (refused whole, nothing written) or read", async () => {
    const before = await t.count('supplier_costs');
    const foreign = t.token(m1, ['finance'], 'finance-member');
    const res = await t.call('POST', '/supplier-costs', foreign, {
      costs: [
        cost({ payerOrganisationId: m1, invoiceNumber: 'WS-OWN-1' }),
        cost({ invoiceNumber: 'WS-2025-200' }),
      ],
    });
    expect(res).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_SCOPE' } });
    expect(res.type).toContain('application/problem+json');
    expect(await t.count('supplier_costs')).toBe(before);
    const [first] = (await t.call('GET', `/supplier-costs?payerOrganisationId=${allocator}`, finance))
      .json as unknown as Cost[];
    expect((await t.call('GET', `/supplier-costs/${first?.supplierCostId ?? ''}`, foreign)).status).toBe(404);
    expect((await t.call('GET', `/supplier-costs?payerOrganisationId=${allocator}`, foreign)).status).toBe(
      403,
    );
    expect((await t.call('GET', '/supplier-costs', foreign)).json).toEqual([]);
    const member = await t.call('POST', '/supplier-costs', t.token(allocator, ['member']), {
      costs: [cost()],
    });
    expect(member).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
  });

  it('refuses bad input with a problem document: limits, currency, period, unknown fields', async () => {
    for (const change of [
      { amountCents: 0 },
      { amountCents: 1_000_000_001 },
      { amountCents: 12.5 },
      { currency: 'USD' },
      { periodEnd: '2025-02-28' },
      { periodStart: '2025-02-30' },
      { supplier: 'woonsoft' },
      { clientBsn: '123456782' },
    ]) {
      const res = await t.call('POST', '/supplier-costs', finance, {
        costs: [cost({ invoiceNumber: 'BAD-1', ...change })],
      });
      expect({ change, status: res.status, code: res.json.code }).toEqual({
        change,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const unknownPayer = await t.call('POST', '/supplier-costs', t.platformOperator(), {
      costs: [cost({ payerOrganisationId: '00000000-0000-4000-8000-000000000000', invoiceNumber: 'BAD-2' })],
    });
    expect(unknownPayer).toMatchObject({ status: 404, json: { code: 'PAYER_UNKNOWN' } });
    expect(await t.query(`SELECT 1 FROM supplier_costs WHERE invoice_number LIKE 'BAD-%'`)).toEqual([]);
  });
});
