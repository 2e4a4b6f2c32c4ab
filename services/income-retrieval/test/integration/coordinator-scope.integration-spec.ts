import { randomUUID } from 'node:crypto';
import { OrganisationEvents } from '@divit/testing';
import { grant, household, IncomeTestApp, publishAllocation, share, eventually } from './support';

/**
 * Coordinator scope (docs/adr/0018), always with a third tenant: a route B housing allocator C with member
 * corporation M, a route C collaboration X whose primus inter pares is P with member M2, and an unrelated
 * corporation T. income-retrieval learns routes and memberships from registration's organisation events and decides
 * at request time: C (and P) read the request progress and the decision of their members' allocations and state
 * their pension age, never their income statements; nobody reaches T; M does not reach C; an ended membership
 * stops access at once.
 */
describe('income-retrieval: coordinator scope from registration’s memberships (three tenants)', () => {
  const t = new IncomeTestApp();
  const orgs = new OrganisationEvents(t);
  const C = randomUUID();
  const M = randomUUID();
  const T = randomUUID();
  const L = randomUUID(); // another corporation letting C's own allocation
  const X = randomUUID();
  const P = randomUUID();
  const M2 = randomUUID();
  // M's allocations: one decided (statement with income), one open; T's and C's own; M2's (route C).
  const decidedM = household({ organisationId: M, lettingCorporationId: M });
  const openM = household({ organisationId: M, lettingCorporationId: M, adults: 1 });
  const openT = household({ organisationId: T, lettingCorporationId: T, adults: 1 });
  const openC = household({ organisationId: C, lettingCorporationId: L, adults: 1 });
  const openM2 = household({ organisationId: M2, lettingCorporationId: M2, adults: 1 });
  const openP = household({ organisationId: P, lettingCorporationId: P, adults: 1 });

  const c = (roles: Parameters<IncomeTestApp['token']>[1]) => t.token(C, roles, 'allocator-c');
  const allocationOf = (h: ReturnType<typeof household>) => h.allocation.allocationId;
  const pensionRows = (h: ReturnType<typeof household>) =>
    t.query(`SELECT stated_by FROM pension_age_statements WHERE allocation_id = $1`, [allocationOf(h)]);
  let membership: Awaited<ReturnType<OrganisationEvents['membershipStarted']>>;

  beforeAll(async () => {
    await t.start();
    // The members' data arrives first (registration's membership event may come later: access is decided per request).
    for (const h of [decidedM, openM, openT, openC, openM2, openP]) await publishAllocation(t, h);
    await grant(t, decidedM, decidedM.homeSeeker);
    await share(t, decidedM, decidedM.homeSeeker, 2_000_000);
    await t.decisionFor(allocationOf(decidedM));
    const stored = await eventually(() => t.query(`SELECT 1 FROM allocations`), {
      description: '() => t.query(`SELECT 1 FROM allocations`)',
      until: (rows) => rows.length === 6,
    });
    if (stored.length !== 6) throw new Error('fixture: allocations not stored');
  });
  afterAll(() => t.stop());

  it('before registration’s membership event arrives, the allocator does not reach its future member (404)', async () => {
    await orgs.housingAllocator(C);
    await orgs.corporation(M);
    const read = await t.call('GET', `/allocations/${allocationOf(openM)}`, c(['coordinator']));
    expect(read).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
  });

  it('the allocator reads its member’s request progress and decision (no income) and states pension age', async () => {
    membership = await orgs.membershipStarted(C, M);
    const read = await t.call('GET', `/allocations/${allocationOf(decidedM)}`, c(['coordinator']));
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      organisationId: M,
      decision: { outcome: 'ELIGIBLE' },
    });
    expect(JSON.stringify(read.json)).not.toMatch(/income(Cents)?"\s*:\s*\d/i);
    expect(JSON.stringify(read.json)).not.toContain('2000000');

    const stated = await t.call(
      'PUT',
      `/allocations/${allocationOf(openM)}/pension-age`,
      c(['allocation-system']),
      { pensionAge: true },
    );
    expect(stated).toMatchObject({ status: 200, json: { pensionAge: true } });
    expect(await pensionRows(openM)).toEqual([{ stated_by: 'allocator-c' }]);
    // Every read is access-logged under the reader's own organisation.
    const [logged] = await t.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_log_entries WHERE kind = 'ACCESS' AND allocation_id = $1 AND subject_organisation_id = $2`,
      [allocationOf(decidedM), C],
    );
    expect(logged?.n).toBe(1);
  });

  it('the allocator never reads its member’s income statement, its PDF or its access log (404)', async () => {
    const auditor = c(['auditor', 'admin']);
    for (const path of ['', '/pdf', '/access-log']) {
      const res = await t.call('GET', `/statements/${allocationOf(decidedM)}${path}`, auditor);
      expect(res).toMatchObject({ status: 404, json: { code: 'STATEMENT_NOT_FOUND' } });
    }
    // M's own auditor does.
    const own = await t.call('GET', `/statements/${allocationOf(decidedM)}`, t.token(M, ['auditor']));
    expect(own.status).toBe(200);
  });

  it('the allocator does not reach a third tenant T: read and write 404, nothing written', async () => {
    const token = c(['coordinator', 'allocation-system', 'admin', 'auditor']);
    const read = await t.call('GET', `/allocations/${allocationOf(openT)}`, token);
    expect(read).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
    const write = await t.call('PUT', `/allocations/${allocationOf(openT)}/pension-age`, token, {
      pensionAge: true,
    });
    expect(write).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
    expect(await pensionRows(openT)).toEqual([]);
  });

  it('the member does not reach its allocator’s own allocation: read and write 404, nothing written', async () => {
    const token = t.token(M, ['coordinator', 'allocation-system', 'admin', 'auditor'], 'member-m');
    expect((await t.call('GET', `/allocations/${allocationOf(openC)}`, token)).status).toBe(404);
    const write = await t.call('PUT', `/allocations/${allocationOf(openC)}/pension-age`, token, {
      pensionAge: false,
    });
    expect(write).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
    expect(await pensionRows(openC)).toEqual([]);
    // The allocator reads its own.
    expect((await t.call('GET', `/allocations/${allocationOf(openC)}`, c(['coordinator']))).status).toBe(200);
  });

  it('route C: the primus inter pares reaches the collaboration’s member; the member does not reach the PIP', async () => {
    await orgs.collaboration(X, P);
    await orgs.corporation(M2);
    await orgs.membershipStarted(X, M2);
    const pip = t.token(P, ['coordinator'], 'pip-p');
    expect((await t.call('GET', `/allocations/${allocationOf(openM2)}`, pip)).status).toBe(200);
    expect((await t.call('GET', `/allocations/${allocationOf(openM)}`, pip)).status).toBe(404);
    const member2 = t.token(M2, ['coordinator', 'admin'], 'member-m2');
    expect((await t.call('GET', `/allocations/${allocationOf(openP)}`, member2)).status).toBe(404);
  });

  it('after MembershipEnded the allocator loses access at once (read and write 404); the member keeps its own', async () => {
    const before = await pensionRows(openM);
    await orgs.membershipEnded(membership);
    const read = await t.call('GET', `/allocations/${allocationOf(decidedM)}`, c(['coordinator']));
    expect(read).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
    const write = await t.call(
      'PUT',
      `/allocations/${allocationOf(openM)}/pension-age`,
      c(['allocation-system']),
      { pensionAge: false },
    );
    expect(write).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
    expect(await pensionRows(openM)).toEqual(before);
    expect(
      (await t.call('GET', `/allocations/${allocationOf(decidedM)}`, t.token(M, ['member']))).status,
    ).toBe(200);
    // The projection kept the end (a redelivered start would not re-open it).
    const [row] = await t.query<{ valid_to: string }>(
      `SELECT to_char(valid_to, 'YYYY-MM-DD') AS valid_to FROM organisation_memberships WHERE membership_id = $1`,
      [membership.membershipId],
    );
    expect(row?.valid_to).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
