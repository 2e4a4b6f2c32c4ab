import { randomUUID } from 'node:crypto';
import { AllocationClosedEvent } from '@divit/contracts';
import { z } from 'zod';
import { RetentionTestApp, eventually } from './support';
import { policyChangeView, policyView } from '../../src/policies/dto/policy.dto';
import { holdAuditView, holdView, liftedHoldView } from '../../src/holds/dto/hold.dto';
import { erasureView, overdueErasuresView, sweepResultView } from '../../src/erasures/dto/erasure.dto';
import { deletionLogSummaryView, deletionLogView } from '../../src/deletion-log/dto/deletion-log.dto';

/**
 * Issue 13, item 3, two tenants: a tenant's admin set another tenant's hashed-BSN retention to zero days and lifted
 * its legal hold. Organisation overrides and legal holds are now the caller's own organisation's, or the platform
 * operator's; sweeps (across every organisation) are the platform operator's.
 */
describe('retention-cleanup: tenancy — overrides and legal holds per organisation (two tenants)', () => {
  const t = new RetentionTestApp();
  const tenant1 = randomUUID();
  const tenant2 = randomUUID();
  let admin1 = '';
  let admin2 = '';
  let operator = '';

  beforeAll(async () => {
    await t.start();
    admin1 = t.token(tenant1, ['admin'], 'admin-1');
    admin2 = t.token(tenant2, ['admin'], 'admin-2');
    operator = t.platformOperator();
  });
  afterAll(() => t.stop());

  const overrides = () => t.count('retention_policy_overrides');

  it("refuses a tenant's admin setting or removing another tenant's retention override; no write", async () => {
    const own = await t.call('PUT', `/policies/HASHED_BSN/organisations/${tenant2}`, admin2, {
      retention: 'P30D',
      reason: 'own policy',
    });
    expect(own.status).toBe(200);
    const before = await overrides();
    const attack = await t.call('PUT', `/policies/HASHED_BSN/organisations/${tenant2}`, admin1, {
      retention: 'P0D',
      reason: 'zero days',
    });
    expect(attack).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    expect(attack.type).toContain('application/problem+json');
    const removal = await t.call('DELETE', `/policies/HASHED_BSN/organisations/${tenant2}`, admin1);
    expect(removal).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    expect(await overrides()).toBe(before);
    const [row] = await t.query<{ retention: string }>(
      `SELECT retention FROM retention_policy_overrides WHERE organisation_id = $1 AND category = 'HASHED_BSN'`,
      [tenant2],
    );
    expect(row?.retention).toBe('P30D');
    // Reading another tenant's policies is refused too; the platform operator may set any organisation's.
    expect((await t.call('GET', `/policies?organisationId=${tenant2}`, admin1)).status).toBe(403);
    const byOperator = await t.call('PUT', `/policies/HASHED_BSN/organisations/${tenant1}`, operator, {
      retention: 'P20D',
      reason: 'platform default for this tenant',
    });
    expect(byOperator.status).toBe(200);
  });

  it("refuses a tenant's admin placing a hold for another tenant or lifting another tenant's hold (404)", async () => {
    const registrationId = randomUUID();
    const hold = await t.call('POST', '/legal-holds', admin2, {
      subjectId: registrationId,
      organisationId: tenant2,
      reason: 'complaint procedure 2026-7',
      owner: 'legal tenant 2',
    });
    expect(hold.status).toBe(201);
    const holdId = String(hold.json.id);

    const lift = await t.call('POST', `/legal-holds/${holdId}/lift`, admin1, { reason: 'gone' });
    expect(lift).toMatchObject({ status: 404, json: { code: 'HOLD_NOT_FOUND' } });
    expect((await t.call('GET', `/legal-holds/${holdId}`, admin1)).status).toBe(404);
    const listed = await t.call('GET', '/legal-holds', admin1);
    expect((listed.json as unknown as { id: string }[]).map((h) => h.id)).not.toContain(holdId);
    const audit = await t.call('GET', '/legal-holds/audit', t.token(tenant1, ['auditor']));
    expect((audit.json as unknown as { holdId: string }[]).map((a) => a.holdId)).not.toContain(holdId);

    const foreignHold = await t.call('POST', '/legal-holds', admin1, {
      category: 'HASHED_BSN',
      organisationId: tenant2,
      reason: 'blocking erasure elsewhere',
      owner: 'tenant 1',
    });
    expect(foreignHold).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    const [row] = await t.query<{ lifted_at: Date | null }>(
      'SELECT lifted_at FROM legal_holds WHERE id = $1',
      [holdId],
    );
    expect(row?.lifted_at).toBeNull();
    expect(await t.count('legal_holds')).toBe(1);

    // A tenant's hold without an organisation is its own organisation's, never a platform-wide one.
    const ownDefault = await t.call('POST', '/legal-holds', admin1, {
      category: 'HASHED_BSN',
      reason: 'own hold',
      owner: 'tenant 1',
    });
    expect(ownDefault).toMatchObject({ status: 201, json: { organisationId: tenant1 } });

    // The hold still keeps tenant 2's erasure back.
    await t.publish(AllocationClosedEvent, [
      {
        key: randomUUID(),
        value: {
          allocationId: randomUUID(),
          registrationId,
          organisationId: tenant2,
          outcome: 'ENDED_WITHOUT_LEASE',
          closedAt: Date.now(),
        },
      },
    ]);
    const held = await eventually(() => t.call('GET', `/erasures?registrationId=${registrationId}`, admin2), {
      description:
        "t.call('GET', `/erasures?registrationId=${registrationId}`, admin2) to satisfy (r) => (r.json as unknown as unknown[]).length === 1",
      until: (r) => (r.json as unknown as unknown[]).length === 1,
    });
    expect((held.json as unknown as { held: boolean }[])[0]?.held).toBe(true);
    // Tenant 1 does not see tenant 2's erasures.
    const foreign = await t.call('GET', `/erasures?registrationId=${registrationId}`, admin1);
    expect(foreign.json).toEqual([]);

    // The platform operator may lift it (platform-wide), and alone runs sweeps across every organisation.
    expect((await t.call('POST', '/sweeps', admin2)).status).toBe(403);
    const lifted = await t.call('POST', `/legal-holds/${holdId}/lift`, operator, {
      reason: 'court order ended',
    });
    expect(lifted.status).toBe(200);
    expect((await t.call('POST', '/sweeps', operator)).status).toBe(200);
  });

  it("refuses a hold on another tenant's subject (404, no row), and a tenant's hold never holds another's erasure", async () => {
    const registrationId = randomUUID();
    // Tenant 2's erasure of this registration is scheduled (the allocation ended without a lease).
    await t.publish(AllocationClosedEvent, [
      {
        key: randomUUID(),
        value: {
          allocationId: randomUUID(),
          registrationId,
          organisationId: tenant2,
          outcome: 'ENDED_WITHOUT_LEASE',
          closedAt: Date.now(),
        },
      },
    ]);
    await eventually(() => t.call('GET', `/erasures?registrationId=${registrationId}`, admin2), {
      description:
        "t.call('GET', `/erasures?registrationId=${registrationId}`, admin2) to satisfy (r) => (r.json as unknown as unknown[]).length > 0",
      until: (r) => (r.json as unknown as unknown[]).length > 0,
    });
    const holdsBefore = await t.count('legal_holds');
    const foreignSubject = await t.call('POST', '/legal-holds', admin1, {
      subjectId: registrationId,
      reason: 'keep their data',
      owner: 'tenant 1',
    });
    expect(foreignSubject).toMatchObject({ status: 404, json: { code: 'SUBJECT_NOT_FOUND' } });
    expect(await t.count('legal_holds')).toBe(holdsBefore);
    // Tenant 2's own hold on its subject is fine, and holds the erasure.
    const own = await t.call('POST', '/legal-holds', admin2, {
      subjectId: registrationId,
      reason: 'dispute',
      owner: 'tenant 2',
    });
    expect(own.status).toBe(201);
  });

  it('answers with exactly the response views its OpenAPI document declares (no undeclared member, formats hold)', async () => {
    // A tenant of its own: the other tests count holds and overrides.
    const tenant3 = randomUUID();
    const admin3 = t.token(tenant3, ['admin'], 'admin-3');
    // parse() drops members a view does not declare and fails on a wrong format: equal means the view is complete.
    const conforms = (view: z.ZodType, r: { status: number; json: unknown }) => {
      expect(r.status).toBeLessThan(300);
      expect(view.parse(r.json)).toEqual(r.json);
    };
    conforms(z.array(policyView), await t.call('GET', `/policies?organisationId=${tenant3}`, admin3));
    const set = await t.call('PUT', `/policies/USED_INCOME/organisations/${tenant3}`, admin3, {
      retention: 'P2Y',
      reason: 'conformance',
    });
    conforms(policyChangeView, set);
    conforms(
      policyChangeView,
      await t.call('DELETE', `/policies/USED_INCOME/organisations/${tenant3}`, admin3),
    );
    const hold = await t.call('POST', '/legal-holds', admin3, {
      category: 'USED_INCOME',
      reason: 'conformance',
      owner: 'legal',
    });
    conforms(holdView, hold);
    conforms(holdView, await t.call('GET', `/legal-holds/${String(hold.json.id)}`, admin3));
    conforms(z.array(holdView), await t.call('GET', '/legal-holds', admin3));
    conforms(
      liftedHoldView,
      await t.call('POST', `/legal-holds/${String(hold.json.id)}/lift`, admin3, { reason: 'done' }),
    );
    conforms(z.array(holdAuditView), await t.call('GET', '/legal-holds/audit', admin3));
    conforms(sweepResultView, await t.call('POST', '/sweeps', operator));
    conforms(z.array(erasureView), await t.call('GET', '/erasures', operator));
    conforms(overdueErasuresView, await t.call('GET', '/erasures/overdue', operator));
    conforms(deletionLogView, await t.call('GET', '/deletion-log', operator));
    conforms(deletionLogSummaryView, await t.call('GET', '/deletion-log/summary', operator));
  });
});
