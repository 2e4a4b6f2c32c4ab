import { randomUUID } from 'node:crypto';
import { fail, grant, household, IncomeTestApp, ORG, publishAllocation } from './support';

/** GET /conformance-evidence (issue 16 item 9): decisions by outcome, what income is still held; never an amount. */
describe('income-retrieval: conformance evidence (real stack)', () => {
  const t = new IncomeTestApp({}, ['incomeRetrievalDecisions']);
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const query = (o: string) => `/conformance-evidence?organisationId=${o}&from=${today}&to=${tomorrow}`;

  beforeAll(() => t.start());
  afterAll(() => t.stop());

  it('counts decisions by outcome and the failure that stopped the procedure', async () => {
    const exempt = household({ exemptionGroup: 'STUDENTS_FROM_ABROAD' });
    await publishAllocation(t, exempt);
    await t.decisionFor(exempt.allocation.allocationId);
    const failed = household();
    await publishAllocation(t, failed);
    await grant(t, failed, failed.homeSeeker);
    await fail(t, failed, failed.homeSeeker, 'U4_HASH_MISMATCH');
    await t.decisionFor(failed.allocation.allocationId);

    const res = await t.call('GET', query(ORG), t.token(ORG, ['auditor']));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      service: 'income-retrieval',
      organisationId: ORG,
      unusedIncomeAfterEndWithoutLease: 0,
      statementsPastRetention: 0,
      bsnScan: { bsnLikeValues: 0 },
    });
    expect(res.json.decisions).toEqual(
      expect.arrayContaining([
        { outcome: 'EXEMPT', alternativeRouteReason: null, count: 1 },
        { outcome: 'ALTERNATIVE_ROUTE_REQUIRED', alternativeRouteReason: 'U4_HASH_MISMATCH', count: 1 },
      ]),
    );
  });

  it("another tenant's auditor gets 403 OUTSIDE_ORGANISATION; an allocation system 403", async () => {
    const other = await t.call('GET', query(ORG), t.token(randomUUID(), ['auditor']));
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('OUTSIDE_ORGANISATION');
    expect((await t.call('GET', query(ORG), t.token(ORG, ['allocation-system']))).status).toBe(403);
  });
});
