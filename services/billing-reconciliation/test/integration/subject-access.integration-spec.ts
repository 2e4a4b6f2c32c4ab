import { randomUUID } from 'node:crypto';
import { AllocationRecordedEvent } from '@divit/contracts';
import { subjectAccessSectionView } from '@divit/service-kit';
import { findBsnShapes } from '@divit/testing';
import { BillingTestApp, usageOf } from './support';

describe('billing-reconciliation: subject-access section (real stack, two tenants)', () => {
  const t = new BillingTestApp();
  const tenant = randomUUID();
  const other = randomUUID();
  beforeAll(() => t.start(), 120_000);
  afterAll(() => t.stop());

  it("holds the named allocation and its pseudonymous usage for the allocation's organisation; 404 to another tenant, 403 without the role", async () => {
    const registrationId = randomUUID();
    const allocationId = randomUUID();
    await t.publish(AllocationRecordedEvent, [
      {
        key: allocationId,
        value: {
          allocationId,
          registrationId,
          organisationId: tenant,
          lettingCorporationId: tenant,
          leaseStartDate: '2026-07-01',
          monthlyRentCents: 65_000,
          exemptionGroup: null,
          members: [{ memberId: randomUUID(), role: 'HOME_SEEKER', adult: true }],
          occurredAt: Date.now(),
        },
      },
    ]);
    const usage = { ...usageOf(tenant, 'DATA_SHARING', new Date().toISOString(), tenant), allocationId };
    await t.usage([usage]);
    expect(await t.waitForRows('allocations', 1, `allocation_id = '${allocationId}'`)).toBe(1);
    expect(await t.waitForRows('usage_records', 1, `usage_id = '${usage.usageId}'`)).toBe(1);

    const path = `/subject-access/${registrationId}?allocationIds=${allocationId}`;
    for (const role of ['admin', 'auditor'] as const) {
      const foreign = await t.call('GET', path, t.token(other, [role], `${role}-other`));
      expect(foreign.status).toBe(404);
      expect(foreign.json.code).toBe('SUBJECT_ACCESS_NOT_FOUND');
      expect(foreign.text).not.toContain(usage.usageId);
    }
    expect((await t.call('GET', path, t.token(tenant, ['finance'], 'finance-tenant'))).status).toBe(403);
    const unknown = `/subject-access/${registrationId}?allocationIds=${randomUUID()}`;
    expect((await t.call('GET', unknown, t.token(tenant, ['admin']))).status).toBe(404);
    const bad = await t.call(
      'GET',
      `/subject-access/${registrationId}?allocationIds=nope`,
      t.token(tenant, ['admin']),
    );
    expect(bad.status).toBe(400);

    const read = await t.call('GET', path, t.token(tenant, ['auditor'], 'auditor-tenant'));
    expect(read.status).toBe(200);
    const section = subjectAccessSectionView.parse(read.json);
    expect(section).toMatchObject({ service: 'billing-reconciliation', registrationId });
    const byCategory = new Map(section.categories.map((c) => [c.category, c.records]));
    expect([...byCategory.keys()]).toEqual(['allocations', 'usage-records', 'access-log-summary']);
    expect(byCategory.get('allocations')).toEqual([
      expect.objectContaining({ allocationId, organisationId: tenant }),
    ]);
    expect(byCategory.get('usage-records')).toEqual([
      expect.objectContaining({ usageId: usage.usageId, unit: 'DATA_SHARING', allocationId }),
    ]);
    expect(findBsnShapes(read.text)).toEqual([]);

    // Without allocations named, billing holds nothing keyed by the registration: empty, for anyone.
    const none = await t.call(
      'GET',
      `/subject-access/${registrationId}`,
      t.token(other, ['admin'], 'admin-other'),
    );
    expect(none.status).toBe(200);
    expect(subjectAccessSectionView.parse(none.json).categories.flatMap((c) => c.records)).toEqual([]);

    // The platform operator reads no personal data (ADR 0014).
    expect((await t.call('GET', path, t.platformOperator())).status).toBe(403);
    const logged = await t.query<{ purpose: string }>(
      `SELECT purpose FROM access_log_entries WHERE registration_id = $1 AND action = 'SUBJECT_ACCESS_EXPORTED'`,
      [registrationId],
    );
    expect(logged.map((r) => r.purpose)).toEqual(['SUBJECT_ACCESS', 'SUBJECT_ACCESS']);
  });
});
