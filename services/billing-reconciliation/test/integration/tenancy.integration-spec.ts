import { BillingTestApp, times, usageOf } from './support';

const MARCH = { periodStart: '2025-03-01', periodEnd: '2025-03-31' };

/**
 * Issue 13, item 3, two tenants (route B allocators, each with a member corporation): a member corporation's
 * finance token closed and re-opened another tenant's billing period. Period close/re-open, invoice import and
 * the split are now the invoice holder's (payer's) own finance/admin, or the platform operator's.
 */
describe('billing-reconciliation: tenancy — only the invoice holder closes, re-opens and imports (two tenants)', () => {
  const t = new BillingTestApp();
  let allocator1 = '';
  let member1 = '';
  let allocator2 = '';
  let member2 = '';
  let operator = '';

  const invoice = (number: string, payer: string) => ({
    invoiceNumber: number,
    issuer: 'LOGIUS',
    payerOrganisationId: payer,
    ...MARCH,
    currency: 'EUR',
    totalCents: 300,
    lines: [{ unit: 'DIGID_LOGIN', count: 2, amountCents: 300 }],
  });

  beforeAll(async () => {
    await t.start();
    operator = t.platformOperator();
    allocator1 = await t.organisation('Woonruimteverdeler Een', 'HOUSING_ALLOCATOR', 'B');
    member1 = await t.organisation('Corporatie Een', 'CORPORATION', 'A');
    allocator2 = await t.organisation('Woonruimteverdeler Twee', 'HOUSING_ALLOCATOR', 'B');
    member2 = await t.organisation('Corporatie Twee', 'CORPORATION', 'A');
    await t.member(allocator1, member1, 1000);
    await t.member(allocator2, member2, 1000);
    await t.waitForRows('housing_stock', 2);
    await t.usage(times(2, (i) => usageOf(allocator2, 'DIGID_LOGIN', `2025-03-0${i + 1}T10:00:00Z`)));
    await t.waitForRows('usage_records', 2);
  });
  afterAll(() => t.stop());

  it("refuses another tenant's finance importing an invoice held by tenant 2; nothing imported", async () => {
    const foreignFinance = t.token(member1, ['finance'], 'finance-member-1');
    const res = await t.call('POST', '/invoices', foreignFinance, invoice('T2-2025-03', allocator2));
    expect(res).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    expect(res.type).toContain('application/problem+json');
    // A file mixing an own invoice with a foreign one is refused as a whole.
    const mixed = await t.call('POST', '/invoices', t.token(allocator1, ['finance']), [
      invoice('T1-2025-03', allocator1),
      invoice('T2-2025-03', allocator2),
    ]);
    expect(mixed.status).toBe(403);
    expect(await t.count('invoices')).toBe(0);
  });

  it("refuses a member corporation's finance token closing or re-opening another tenant's period; no write", async () => {
    const own = await t.call(
      'POST',
      '/invoices',
      t.token(allocator2, ['finance']),
      invoice('T2-2025-03', allocator2),
    );
    expect(own.status).toBe(201);
    const invoiceId = (own.json.invoices as { invoiceId: string }[])[0]?.invoiceId ?? '';
    const foreignFinance = t.token(member1, ['finance'], 'finance-member-1');
    const close = await t.call('POST', '/reconciliations/close', foreignFinance, {
      payerOrganisationId: allocator2,
      ...MARCH,
    });
    expect(close).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_SCOPE' } });
    expect(await t.count('reconciliations')).toBe(0);
    expect(await t.count('billing_periods')).toBe(0);

    // Tenant 2's own finance closes; then the foreign token tries to re-open it.
    const closed = await t.call('POST', '/reconciliations/close', t.token(allocator2, ['finance']), {
      payerOrganisationId: allocator2,
      ...MARCH,
    });
    expect(closed.status).toBe(201);
    const reopen = await t.call('POST', '/reconciliations/reopen', foreignFinance, {
      payerOrganisationId: allocator2,
      ...MARCH,
      reason: 'hostile re-open',
    });
    expect(reopen).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_SCOPE' } });
    const [period] = await t.query<{ state: string }>('SELECT state FROM billing_periods');
    expect(period?.state).toBe('CLOSED');
    // Another tenant's finance (even its allocator's) reads nothing of tenant 2 by id: 404, as for a missing id.
    for (const token of [foreignFinance, t.token(allocator1, ['finance', 'auditor', 'admin'])]) {
      expect(
        (await t.call('GET', `/reconciliations/${String(closed.json.reconciliationId)}`, token)).status,
      ).toBe(404);
      expect((await t.call('GET', `/invoices/${invoiceId}`, token)).status).toBe(404);
      const listed = await t.call('GET', '/invoices', token);
      expect(listed.json).toEqual([]);
    }
    // The member's own statement stays readable by the member itself.
    const statement = await t.call(
      'GET',
      `/reconciliations/${String(closed.json.reconciliationId)}/statements/${member2}`,
      t.token(member2, ['member']),
    );
    expect(statement.status).toBe(200);
  });

  it('lets the platform operator re-open and close any payer, and set tariffs; an organisation admin may not set tariffs', async () => {
    const reopened = await t.call('POST', '/reconciliations/reopen', operator, {
      payerOrganisationId: allocator2,
      ...MARCH,
      reason: 'operator correction',
    });
    expect(reopened.status).toBe(200);
    const closed = await t.call('POST', '/reconciliations/close', operator, {
      payerOrganisationId: allocator2,
      ...MARCH,
    });
    expect(closed).toMatchObject({ status: 201, json: { version: 2 } });
    const tariff = {
      issuer: 'LOGIUS',
      unit: 'DIGID_LOGIN',
      validFrom: '2031-01-01',
      unitPriceMillicents: 160_000,
    };
    expect((await t.call('PUT', '/tariffs', t.token(allocator1, ['admin']), tariff)).status).toBe(403);
    expect((await t.call('PUT', '/tariffs', operator, tariff)).status).toBe(200);
  });
});
