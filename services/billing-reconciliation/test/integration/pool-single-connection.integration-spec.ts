import { randomUUID } from 'node:crypto';
import { BillingTestApp } from './support';

/**
 * Guard against a second pool connection inside a transaction (issue 13, item 1): with DB_POOL_SIZE=1 a query
 * that bypasses the transaction's manager waits forever for the one connection its own transaction holds.
 * Every transactional endpoint is driven once; each request must answer within seconds.
 */
describe('billing-reconciliation: every transactional endpoint works with a pool of one connection', () => {
  const t = new BillingTestApp({ DB_POOL_SIZE: '1', BILLING_USAGE_CONCURRENCY: '1' });
  const REQUEST_TIMEOUT_MS = 10_000;
  let finance = '';
  let operator = '';
  let payer = '';

  async function call(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  beforeAll(async () => {
    await t.start();
    payer = await t.organisation('Woonstichting Een Verbinding', 'CORPORATION', 'A');
    await t.waitForRows('organisations', 1);
    finance = t.token(payer, ['finance'], 'finance-officer');
    operator = t.platformOperator();
  }, 120_000);
  afterAll(() => t.stop());

  it('tariff set, invoice imported, period closed and re-opened, allocation key set', async () => {
    const tariff = await call('PUT', '/tariffs', operator, {
      issuer: 'LOGIUS',
      unit: 'DIGID_LOGIN',
      validFrom: '2025-06-01',
      unitPriceMillicents: 35000,
    });
    expect(tariff.status).toBe(200);
    const period = { payerOrganisationId: payer, periodStart: '2025-03-01', periodEnd: '2025-03-31' };
    const invoice = await call('POST', '/invoices', finance, {
      invoiceNumber: `P1-${randomUUID().slice(0, 8)}`,
      issuer: 'LOGIUS',
      ...period,
      currency: 'EUR',
      totalCents: 0,
      lines: [{ unit: 'DIGID_LOGIN', count: 0, amountCents: 0 }],
    });
    expect(invoice.status).toBe(201);
    expect((await call('POST', '/reconciliations/close', finance, period)).status).toBe(201);
    expect(
      (await call('POST', '/reconciliations/reopen', finance, { ...period, reason: 'correction' })).status,
    ).toBe(200);
    const key = await call('PUT', `/allocation-keys/${payer}`, operator, {
      effectiveFrom: '2025-01-01',
      basis: 'EQUAL',
    });
    expect(key.status).toBeLessThan(500);
  }, 60_000);
});
