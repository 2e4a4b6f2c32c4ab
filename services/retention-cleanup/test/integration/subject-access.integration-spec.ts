import { randomUUID } from 'node:crypto';
import { AllocationClosedEvent } from '@divit/contracts';
import { subjectAccessSectionView } from '@divit/service-kit';
import { findBsnShapes } from '@divit/testing';
import { RetentionTestApp, eventually } from './support';

describe('retention-cleanup: subject-access section (real stack, two tenants)', () => {
  const t = new RetentionTestApp();
  const tenant = randomUUID();
  const other = randomUUID();
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  it('holds the scheduled erasures and the legal hold about the registration; 404 to another tenant, 403 without the role', async () => {
    const registrationId = randomUUID();
    const admin = t.token(tenant, ['admin'], 'admin-tenant');
    const hold = await t.call('POST', '/legal-holds', admin, {
      subjectId: registrationId,
      organisationId: tenant,
      reason: 'complaint procedure 2026-9',
      owner: 'legal tenant',
    });
    expect(hold.status).toBe(201);
    await t.publish(AllocationClosedEvent, [
      {
        key: randomUUID(),
        value: {
          allocationId: randomUUID(),
          registrationId,
          organisationId: tenant,
          outcome: 'ENDED_WITHOUT_LEASE',
          closedAt: Date.now(),
        },
      },
    ]);
    await eventually(
      () => t.query('SELECT 1 FROM scheduled_erasures WHERE registration_id = $1', [registrationId]),
      {
        description: 'the erasures of the registration to be scheduled',
        until: (rows) => rows.length > 0,
      },
    );

    const path = `/subject-access/${registrationId}`;
    for (const role of ['admin', 'auditor'] as const) {
      const foreign = await t.call('GET', path, t.token(other, [role], `${role}-other`));
      expect(foreign.status).toBe(404);
      expect(foreign.json.code).toBe('SUBJECT_ACCESS_NOT_FOUND');
      expect(foreign.text).not.toContain(String(hold.json.id));
    }
    expect((await t.call('GET', path, t.token(tenant, ['finance'], 'finance-tenant'))).status).toBe(403);
    expect((await t.call('GET', `/subject-access/${randomUUID()}`, admin)).status).toBe(404);

    const read = await t.call('GET', path, t.token(tenant, ['auditor'], 'auditor-tenant'));
    expect(read.status).toBe(200);
    const section = subjectAccessSectionView.parse(read.json);
    expect(section).toMatchObject({ service: 'retention-cleanup', registrationId });
    const byCategory = new Map(section.categories.map((c) => [c.category, c.records]));
    expect([...byCategory.keys()]).toEqual([
      'scheduled-erasures',
      'deletion-log',
      'legal-holds',
      'legal-hold-history',
      'access-log-summary',
    ]);
    expect(byCategory.get('scheduled-erasures')?.length).toBeGreaterThan(0);
    expect(byCategory.get('legal-holds')).toEqual([
      expect.objectContaining({ holdId: hold.json.id, subjectId: registrationId, liftedAt: null }),
    ]);
    expect(byCategory.get('legal-hold-history')?.length).toBeGreaterThan(0);
    expect(findBsnShapes(read.text)).toEqual([]);

    // The platform operator reads no personal data (ADR 0014).
    expect((await t.call('GET', path, t.platformOperator())).status).toBe(403);
    const logged = await t.query<{ purpose: string }>(
      `SELECT purpose FROM access_log_entries WHERE registration_id = $1 AND action = 'SUBJECT_ACCESS_EXPORTED'`,
      [registrationId],
    );
    expect(logged.map((r) => r.purpose)).toEqual(['SUBJECT_ACCESS']);
  });
});
