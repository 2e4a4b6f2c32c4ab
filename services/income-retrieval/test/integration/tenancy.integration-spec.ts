import { randomUUID } from 'node:crypto';
import { household, IncomeTestApp, publishAllocation, eventually } from './support';

/**
 * Issue 13, item 3, two tenants: an `admin` of any organisation read (and changed) every organisation's allocations.
 * An organisation's admin now sees its own organisation's allocations (the registration's organisation or the
 * letting corporation); the expiry sweep across every organisation is the platform operator's.
 */
describe('income-retrieval: tenancy — an organisation admin sees its own allocations only (two tenants)', () => {
  const t = new IncomeTestApp();
  const tenant1 = randomUUID();
  const tenant2 = randomUUID();
  let allocationId = '';

  beforeAll(async () => {
    await t.start();
    const h = household({ organisationId: tenant2 });
    allocationId = h.allocation.allocationId;
    await publishAllocation(t, h);
    await eventually(() => t.query('SELECT 1 FROM allocations WHERE allocation_id = $1', [allocationId]), {
      description:
        "t.query('SELECT 1 FROM allocations WHERE allocation_id = $1', [allocationId]) to satisfy (rows) => rows.length === 1",
      until: (rows) => rows.length === 1,
    });
  });
  afterAll(() => t.stop());

  it("answers 404 to another tenant's admin reading or changing tenant 2's allocation; nothing written", async () => {
    const foreignAdmin = t.token(tenant1, ['admin'], 'admin-tenant-1');
    const read = await t.call('GET', `/allocations/${allocationId}`, foreignAdmin);
    expect(read).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
    expect(read.type).toContain('application/problem+json');
    const write = await t.call('PUT', `/allocations/${allocationId}/pension-age`, foreignAdmin, {
      pensionAge: true,
    });
    expect(write).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
    expect(await t.count('pension_age_statements')).toBe(0);
    const log = await t.call('GET', `/statements/${allocationId}/access-log`, foreignAdmin);
    expect(log.status).toBe(404);
    // Tenant 2's own admin reads it.
    expect((await t.call('GET', `/allocations/${allocationId}`, t.token(tenant2, ['admin']))).status).toBe(
      200,
    );
  });

  it('runs the expiry sweep for the platform operator only', async () => {
    expect((await t.call('POST', '/admin/expiry-sweeps', t.token(tenant1, ['admin']))).status).toBe(403);
    expect((await t.call('POST', '/admin/expiry-sweeps', t.platformOperator())).status).toBe(200);
  });

  it("publishes a year's income norms for the platform operator only: neither tenant's admin may (ADR 0017)", async () => {
    const norms = (await t.call('GET', '/norms', t.token(tenant1, ['admin']))).json as unknown as Record<
      string,
      unknown
    >[];
    const {
      source: _source,
      publishedAt: _publishedAt,
      ...last
    } = norms[norms.length - 1] as Record<string, unknown>;
    const body = {
      ...last,
      version: '2030-01-01',
      leaseYear: 2030,
      validFrom: '2030-01-01',
      indexationFactors: { '2029': '1.010000', '2028': '1.020000' },
    };
    for (const tenant of [tenant1, tenant2])
      expect(await t.call('PUT', '/norms/2030', t.token(tenant, ['admin']), body)).toMatchObject({
        status: 403,
        json: { code: 'FORBIDDEN_ROLE' },
      });
    expect(await t.count('income_norms')).toBe(0);
    expect(await t.call('PUT', '/norms/2030', t.platformOperator(), body)).toMatchObject({
      status: 200,
      json: { leaseYear: 2030, created: true },
    });
    expect(await t.count('income_norms')).toBe(1);
  });
});
