import { randomUUID } from 'node:crypto';
import { subjectAccessSectionView } from '@divit/service-kit';
import { findBsnShapes } from '@divit/testing';
import { grant, household, IncomeTestApp, publishAllocation, share } from './support';

describe('income-retrieval: subject-access section (real stack, two tenants)', () => {
  const t = new IncomeTestApp();
  const tenant = randomUUID();
  const letting = randomUUID();
  const other = randomUUID();
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  it("holds the allocation, member requests and shared incomes for the allocation's organisations; 404 to another tenant, 403 without the role", async () => {
    const h = household({ adults: 1, organisationId: tenant, lettingCorporationId: letting });
    const registrationId = h.allocation.registrationId;
    await publishAllocation(t, h);
    await t.eventuallyRows(
      'SELECT 1 FROM member_requests WHERE allocation_id = $1',
      [h.allocation.allocationId],
      2,
    );
    await grant(t, h, h.homeSeeker);
    await share(t, h, h.homeSeeker, 2_400_000);
    await t.eventuallyRows('SELECT 1 FROM shared_incomes WHERE allocation_id = $1', [
      h.allocation.allocationId,
    ]);

    const path = `/subject-access/${registrationId}`;
    for (const role of ['admin', 'auditor'] as const) {
      const foreign = await t.call('GET', path, t.token(other, [role], `${role}-other`));
      expect(foreign.status).toBe(404);
      expect(foreign.json.code).toBe('SUBJECT_ACCESS_NOT_FOUND');
      expect(foreign.text).not.toContain(h.allocation.allocationId);
    }
    expect((await t.call('GET', path, t.token(tenant, ['allocation-system']))).status).toBe(403);
    expect((await t.call('GET', `/subject-access/${randomUUID()}`, t.token(tenant, ['admin']))).status).toBe(
      404,
    );

    const read = await t.call('GET', path, t.token(tenant, ['auditor'], 'auditor-tenant'));
    expect(read.status).toBe(200);
    const section = subjectAccessSectionView.parse(read.json);
    expect(section).toMatchObject({ service: 'income-retrieval', registrationId });
    const byCategory = new Map(section.categories.map((c) => [c.category, c.records]));
    expect([...byCategory.keys()]).toEqual([
      'allocations',
      'member-requests',
      'member-signals',
      'shared-incomes',
      'income-statements',
      'decisions',
      'pension-age-statements',
      'access-log-summary',
    ]);
    expect(byCategory.get('allocations')).toEqual([
      expect.objectContaining({ allocationId: h.allocation.allocationId, householdSize: 2 }),
    ]);
    expect(
      byCategory
        .get('member-requests')
        ?.map((r) => r.memberId)
        .sort(),
    ).toEqual([h.homeSeeker, ...h.coResidents].sort());
    expect(byCategory.get('shared-incomes')).toEqual([
      expect.objectContaining({ subjectId: registrationId, incomeCents: '2400000', taxYear: 2024 }),
    ]);
    expect(findBsnShapes(read.text)).toEqual([]);

    // The letting corporation reads it too; every read is access-logged.
    expect((await t.call('GET', path, t.token(letting, ['admin'], 'admin-letting'))).status).toBe(200);
    // The platform operator reads no personal data (ADR 0014).
    expect((await t.call('GET', path, t.platformOperator())).status).toBe(403);
    const logged = await t.query<{ purpose: string }>(
      `SELECT purpose FROM access_log_entries WHERE registration_id = $1 AND action = 'SUBJECT_ACCESS_EXPORTED'`,
      [registrationId],
    );
    expect(logged.map((r) => r.purpose)).toEqual(['SUBJECT_ACCESS', 'SUBJECT_ACCESS']);
  });
});
