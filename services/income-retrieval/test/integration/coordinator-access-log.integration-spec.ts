import { randomUUID } from 'node:crypto';
import { OrganisationEvents } from '@divit/testing';
import { eventually, grant, household, IncomeTestApp, publishAllocation, share } from './support';

interface Entry {
  action: string;
  resourceType: string | null;
  subjectOrganisationId: string | null;
  organisationId: string | null;
  allocationId: string | null;
}

/**
 * `GET /access-log` (libs/access-log) under coordinator scope (docs/adr/0018), three tenants: a route B housing
 * allocator C, its member corporation M and an unrelated corporation T. As C reads M's request progress here but
 * never M's income statements, it reads the access-log entries by or about M while the membership is in force,
 * except those about M's income statements (the accountant's evidence); never T's; M never reads C's; an ended
 * membership stops it.
 */
describe('income-retrieval: GET /access-log follows coordinator scope (three tenants)', () => {
  const t = new IncomeTestApp();
  const orgs = new OrganisationEvents(t);
  const C = randomUUID();
  const M = randomUUID();
  const T = randomUUID();
  const decidedM = household({ organisationId: M, lettingCorporationId: M });
  const openT = household({ organisationId: T, lettingCorporationId: T, adults: 1 });
  const openC = household({ organisationId: C, lettingCorporationId: C, adults: 1 });
  const allocationOf = (h: ReturnType<typeof household>) => h.allocation.allocationId;
  const auditor = (org: string) => t.token(org, ['auditor', 'member'], `auditor-${org.slice(0, 8)}`);
  let membership: Awaited<ReturnType<OrganisationEvents['membershipStarted']>>;

  const entries = async (token: string, query = ''): Promise<Entry[]> => {
    const res = await t.call('GET', `/access-log?kind=ACCESS&limit=500${query}`, token);
    if (res.status !== 200) throw new Error(`GET /access-log: ${res.status}`);
    return res.json.entries as Entry[];
  };
  /** The organisations whose reads or data the caller sees, with the resource types, e.g. `M:allocation`. */
  const seen = async (token: string) =>
    [
      ...new Set(
        (await entries(token))
          .filter((e) => e.action !== 'ACCESS_LOG_READ')
          .map(
            (e) =>
              `${e.organisationId === C ? 'C' : e.organisationId === M ? 'M' : e.organisationId === T ? 'T' : '?'}:${e.resourceType}`,
          ),
      ),
    ].sort();

  beforeAll(async () => {
    await t.start();
    await orgs.housingAllocator(C);
    await orgs.corporation(M);
    await orgs.corporation(T);
    for (const h of [decidedM, openT, openC]) await publishAllocation(t, h);
    await grant(t, decidedM, decidedM.homeSeeker);
    await share(t, decidedM, decidedM.homeSeeker, 2_000_000);
    await t.decisionFor(allocationOf(decidedM));
    const stored = await eventually(() => t.query(`SELECT 1 FROM allocations`), {
      description: '() => t.query(`SELECT 1 FROM allocations`)',
      until: (rows) => rows.length === 3,
    });
    if (stored.length !== 3) throw new Error('fixture: allocations not stored');
    // Each tenant reads its own allocation's progress; M also reads its income statement (entries about M's data).
    for (const [org, h] of [
      [M, decidedM],
      [T, openT],
      [C, openC],
    ] as const) {
      const read = await t.call('GET', `/allocations/${allocationOf(h)}`, auditor(org));
      if (read.status !== 200) throw new Error(`fixture: progress read of ${org}: ${read.status}`);
    }
    const statement = await t.call('GET', `/statements/${allocationOf(decidedM)}`, auditor(M));
    if (statement.status !== 200) throw new Error(`fixture: statement read: ${statement.status}`);
  });
  afterAll(() => t.stop());

  it('before the membership the allocator reads only its own organisation’s entries', async () => {
    expect(await seen(auditor(C))).toEqual(['C:allocation']);
  });

  it('with the membership the allocator reads its member’s entries, not those about its income statements', async () => {
    membership = await orgs.membershipStarted(C, M);
    expect(await seen(auditor(C))).toEqual(['C:allocation', 'M:allocation']);
    const aboutM = await entries(auditor(C), `&allocationId=${allocationOf(decidedM)}`);
    expect(aboutM.map((e) => e.action)).toEqual(['ALLOCATION_STATUS_READ']);
    // M's own auditor reads both.
    expect(await seen(auditor(M))).toEqual(['M:allocation', 'M:income-statement']);
  });

  it('the allocator reads nothing of the third tenant; the member nothing of its allocator', async () => {
    expect(await entries(auditor(C), `&organisationId=${T}`)).toEqual([]);
    expect(await entries(auditor(M), `&organisationId=${C}`)).toEqual([]);
    expect(await seen(auditor(T))).toEqual(['T:allocation']);
  });

  it('after MembershipEnded the allocator reads nothing of its former member', async () => {
    await orgs.membershipEnded(membership);
    expect(await seen(auditor(C))).toEqual(['C:allocation']);
  });
});
