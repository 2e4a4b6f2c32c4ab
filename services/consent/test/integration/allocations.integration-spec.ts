import { randomUUID } from 'node:crypto';
import { AllocationClosedEvent } from '@divit/contracts';
import { ConsentTestApp, eventually } from './support';

/**
 * Consent at allocation only for an allocation registration announced, of the registration's own organisation,
 * still open and not of an exempted household (issue 16 item 4: DIV-it may not be offered to exempted groups, so
 * no consent, no sharing session and no usage can start for them).
 */
describe('consent: showings at allocation need a known, open, non-exempt allocation of the registration (real stack)', () => {
  const t = new ConsentTestApp();
  let orgA = '';
  let orgB = '';
  let textA = '';
  let textB = '';
  beforeAll(async () => {
    await t.start();
    orgA = await t.organisationWithRouteA('Woonstichting A');
    orgB = await t.organisationWithRouteA('Woonstichting B');
    textA = (await t.publishedText(orgA, 'HOME_SEEKER', 'BSN_AND_INCOME_AT_ALLOCATION')).id;
    textB = (await t.publishedText(orgB, 'HOME_SEEKER', 'BSN_AND_INCOME_AT_ALLOCATION')).id;
  });
  afterAll(() => t.stop());

  const showingAt = (org: string, textId: string, registrationId: string, allocationId: string) =>
    t.call('POST', '/showings', t.system(org), {
      textId,
      registrationId,
      subjectRole: 'HOME_SEEKER',
      channel: 'WEB',
      allocationId,
    });
  const showingsOf = async (allocationId: string) =>
    (
      await t.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM consent_showings WHERE allocation_id = $1`,
        [allocationId],
      )
    )[0]!.n;

  it('an exempted household is refused (409 ALLOCATION_EXEMPT) and nothing is recorded', async () => {
    for (const group of [
      'STATUS_HOLDER_FROM_COA',
      'STUDENTS_WITH_STUDY_FINANCE',
      'STUDENTS_FROM_ABROAD',
    ] as const) {
      const registrationId = await t.knownRegistration(orgA);
      const allocationId = await t.knownAllocation(orgA, registrationId, randomUUID(), group);
      const refused = await showingAt(orgA, textA, registrationId, allocationId);
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.json).toMatchObject({ code: 'ALLOCATION_EXEMPT', exemptionGroup: group });
      expect(await showingsOf(allocationId)).toBe(0);
    }
  });

  it('an allocation consent has not learned of is 409 ALLOCATION_UNKNOWN (retryable); once announced it is shown', async () => {
    const registrationId = await t.knownRegistration(orgA);
    const allocationId = randomUUID();
    const early = await showingAt(orgA, textA, registrationId, allocationId);
    expect(early.status).toBe(409);
    expect(early.json.code).toBe('ALLOCATION_UNKNOWN');
    await t.knownAllocation(orgA, registrationId, allocationId);
    expect((await showingAt(orgA, textA, registrationId, allocationId)).status).toBe(201);
    expect(await showingsOf(allocationId)).toBe(1);
  });

  it("another tenant's allocation, or another registration's, is not found (404), never shown", async () => {
    const registrationA = await t.knownRegistration(orgA);
    const allocationA = await t.knownAllocation(orgA, registrationA);
    const registrationB = await t.knownRegistration(orgB);
    // Tenant B names A's allocation for its own registration.
    const crossTenant = await showingAt(orgB, textB, registrationB, allocationA);
    expect(crossTenant.status).toBe(404);
    expect(crossTenant.json.code).toBe('ALLOCATION_NOT_FOUND');
    // Tenant A names its allocation for another of its registrations.
    const otherRegistration = await t.knownRegistration(orgA);
    const mismatch = await showingAt(orgA, textA, otherRegistration, allocationA);
    expect(mismatch.status).toBe(404);
    expect(mismatch.json.code).toBe('ALLOCATION_NOT_FOUND');
    expect(await showingsOf(allocationA)).toBe(0);
  });

  it('a closed allocation is refused (409 ALLOCATION_CLOSED)', async () => {
    const registrationId = await t.knownRegistration(orgA);
    const allocationId = await t.knownAllocation(orgA, registrationId);
    await t.publish(AllocationClosedEvent, [
      {
        key: allocationId,
        value: {
          allocationId,
          registrationId,
          organisationId: orgA,
          outcome: 'ENDED_WITHOUT_LEASE',
          closedAt: Date.now(),
        },
      },
    ]);
    await eventually(
      () => t.query(`SELECT 1 FROM allocations WHERE id = $1 AND closed_at IS NOT NULL`, [allocationId]),
      { description: 'the close to arrive', until: (r) => r.length > 0 },
    );
    const refused = await showingAt(orgA, textA, registrationId, allocationId);
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('ALLOCATION_CLOSED');
  });
});
