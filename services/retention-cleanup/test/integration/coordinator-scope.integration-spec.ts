import { randomUUID } from 'node:crypto';
import { AllocationClosedEvent, IncomeErasureCompletedEvent } from '@divit/contracts';
import { OrganisationEvents } from '@divit/testing';
import { eventually, RetentionTestApp } from './support';

interface Erasure {
  erasureId: string;
  category: string;
  registrationId: string | null;
  organisationId: string | null;
}
interface Hold {
  id: string;
  organisationId: string | null;
}

/**
 * Coordinator scope (docs/adr/0018), always with a third tenant: a route B housing allocator C with member
 * corporation M, and an unrelated corporation T. retention-cleanup learns routes and memberships from registration's
 * organisation events and decides at request time. C reads M's retention records (policies in force, legal holds and
 * their audit, erasures, overdue erasures, the deletion log) but never changes them (overrides, holds: M's own admin
 * or the platform operator); C reaches nothing of T; M reaches nothing of C; an ended membership stops C's reads.
 */
describe('retention-cleanup: coordinator scope from registration’s memberships (three tenants)', () => {
  const t = new RetentionTestApp({ ERASURE_OVERDUE_AFTER_SECONDS: '0' });
  const orgs = new OrganisationEvents(t);
  const C = randomUUID();
  const M = randomUUID();
  const T = randomUUID();
  const registration = { C: randomUUID(), M: randomUUID(), T: randomUUID() };
  const heldSubject = { C: randomUUID(), M: randomUUID(), T: randomUUID() };
  const holdId: Record<'C' | 'M' | 'T', string> = { C: '', M: '', T: '' };
  const orgOf = { C, M, T };
  let membership: Awaited<ReturnType<OrganisationEvents['membershipStarted']>>;

  const cAdmin = () => t.token(C, ['admin', 'auditor'], 'allocator-c-admin');
  const admin = (who: 'C' | 'M' | 'T') => t.token(orgOf[who], ['admin', 'auditor'], `admin-${who}`);
  const asList = <X>(r: { json: unknown }) => r.json as X[];
  const holdsRow = (id: string) =>
    t.query<{ lifted_at: Date | null }>('SELECT lifted_at FROM legal_holds WHERE id = $1', [id]);

  beforeAll(async () => {
    await t.start();
    // Each tenant: an override and a legal hold of its own, and an erasure issued (an allocation ended without a
    // lease: unused income at once), then acknowledged by income-retrieval (a deletion-log row). All before the
    // membership: registration's event may arrive after the data, access is decided per request.
    for (const who of ['C', 'M', 'T'] as const) {
      const set = await t.call('PUT', `/policies/CONSENT_PROOFS/organisations/${orgOf[who]}`, admin(who), {
        retention: 'P3Y',
        reason: `policy of ${who}`,
      });
      if (set.status !== 200) throw new Error(`fixture: override of ${who}: ${set.status}`);
      const hold = await t.call('POST', '/legal-holds', admin(who), {
        subjectId: heldSubject[who],
        reason: `complaint of ${who}`,
        owner: `legal ${who}`,
      });
      if (hold.status !== 201) throw new Error(`fixture: hold of ${who}: ${hold.status}`);
      holdId[who] = String(hold.json.id);
      await t.publish(AllocationClosedEvent, [
        {
          key: randomUUID(),
          value: {
            allocationId: randomUUID(),
            registrationId: registration[who],
            organisationId: orgOf[who],
            outcome: 'ENDED_WITHOUT_LEASE',
            closedAt: Date.now(),
          },
        },
      ]);
    }
    const commands = await t.commandsMatching(
      (v) => (Object.values(registration) as string[]).includes(String(v.registrationId)),
      3,
    );
    if (commands.length < 3) throw new Error('fixture: erasure commands not issued');
    await orgs.housingAllocator(C);
    await orgs.corporation(M);
    await orgs.corporation(T);
  });
  afterAll(() => t.stop());

  const erasuresFor = async (token: string, who: 'C' | 'M' | 'T') =>
    asList<Erasure>(await t.call('GET', `/erasures?registrationId=${registration[who]}`, token));
  const overdueRegistrations = async (token: string) =>
    ((await t.call('GET', '/erasures/overdue', token)).json.erasures as Erasure[]).map(
      (e) => e.registrationId,
    );

  it('before the membership the allocator reads only its own organisation’s records', async () => {
    expect(await erasuresFor(cAdmin(), 'M')).toEqual([]);
    expect(await erasuresFor(cAdmin(), 'C')).toHaveLength(1);
    expect((await t.call('GET', `/policies?organisationId=${M}`, cAdmin())).status).toBe(403);
    expect((await t.call('GET', `/legal-holds/${holdId.M}`, cAdmin())).status).toBe(404);
  });

  it('with the membership the allocator reads its member’s policies, holds, audit, erasures and overdue erasures', async () => {
    membership = await orgs.membershipStarted(C, M);
    const policies = await t.call('GET', `/policies?organisationId=${M}`, cAdmin());
    expect(policies.status).toBe(200);
    const consentProofs = asList<{ category: string; override: { reason: string } | null }>(policies).find(
      (p) => p.category === 'CONSENT_PROOFS',
    );
    expect(consentProofs?.override?.reason).toBe('policy of M');

    const holds = asList<Hold>(await t.call('GET', '/legal-holds', cAdmin())).map((h) => h.id);
    expect(holds).toEqual(expect.arrayContaining([holdId.C, holdId.M]));
    expect(holds).not.toContain(holdId.T);
    expect(await t.call('GET', `/legal-holds/${holdId.M}`, cAdmin())).toMatchObject({
      status: 200,
      json: { organisationId: M },
    });
    const audit = asList<{ holdId: string }>(await t.call('GET', '/legal-holds/audit', cAdmin())).map(
      (a) => a.holdId,
    );
    expect(audit).toEqual(expect.arrayContaining([holdId.C, holdId.M]));
    expect(audit).not.toContain(holdId.T);

    expect(await erasuresFor(cAdmin(), 'M')).toEqual([
      expect.objectContaining({ organisationId: M, category: 'UNUSED_INCOME' }),
    ]);
    const overdue = await eventually(() => overdueRegistrations(cAdmin()), {
      description: '() => overdueRegistrations(cAdmin())',
      until: (ids) => ids.includes(registration.M),
    });
    expect(overdue).toEqual(expect.arrayContaining([registration.C, registration.M]));
    expect(overdue).not.toContain(registration.T);
  });

  it('the allocator reads its member’s deletion log (JSON, CSV, summary), not the third tenant’s', async () => {
    const erasureIds: Record<string, string> = {};
    for (const who of ['C', 'M', 'T'] as const) {
      const [e] = await erasuresFor(t.platformOperator(), who);
      if (!e) throw new Error(`no erasure of ${who}`);
      erasureIds[who] = e.erasureId;
      await t.publish(IncomeErasureCompletedEvent, [
        {
          key: e.erasureId,
          value: {
            erasureId: e.erasureId,
            category: 'UNUSED_INCOME',
            erasedCount: 2,
            completedAt: Date.now(),
          },
        },
      ]);
    }
    const records = await eventually(
      async () =>
        (
          (await t.call('GET', '/deletion-log', t.platformOperator())).json.records as { erasureId: string }[]
        ).map((r) => r.erasureId),
      {
        description:
          "async () => ( (await t.call('GET', '/deletion-log', t.platformOperator())).json.records...",
        until: (ids) => Object.values(erasureIds).every((id) => ids.includes(id)),
      },
    );
    expect(records).toEqual(expect.arrayContaining(Object.values(erasureIds)));

    const seen = (
      (await t.call('GET', '/deletion-log', cAdmin())).json.records as { erasureId: string }[]
    ).map((r) => r.erasureId);
    expect(seen.sort()).toEqual([erasureIds.C, erasureIds.M].sort());
    const csv = (await t.call('GET', '/deletion-log/export.csv', cAdmin())).text;
    expect(csv).toContain(erasureIds.M);
    expect(csv).not.toContain(erasureIds.T);
    const summary = (await t.call('GET', '/deletion-log/summary', cAdmin())).json as unknown as {
      erasedRecords: number;
    }[];
    expect(summary.reduce((n, s) => n + s.erasedRecords, 0)).toBe(4);
  });

  it('the allocator never changes its member’s overrides or holds (403, nothing written)', async () => {
    const set = await t.call('PUT', `/policies/CONSENT_PROOFS/organisations/${M}`, cAdmin(), {
      retention: 'P0D',
      reason: 'shorter',
    });
    expect(set).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    const removed = await t.call('DELETE', `/policies/CONSENT_PROOFS/organisations/${M}`, cAdmin());
    expect(removed).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    const [override] = await t.query<{ retention: string }>(
      `SELECT retention FROM retention_policy_overrides WHERE organisation_id = $1 AND category = 'CONSENT_PROOFS'`,
      [M],
    );
    expect(override?.retention).toBe('P3Y');

    const lift = await t.call('POST', `/legal-holds/${holdId.M}/lift`, cAdmin(), { reason: 'not needed' });
    expect(lift).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    expect(lift.type).toContain('application/problem+json');
    expect((await holdsRow(holdId.M))[0]?.lifted_at).toBeNull();
    const holdsBefore = await t.count('legal_holds');
    const place = await t.call('POST', '/legal-holds', cAdmin(), {
      category: 'HASHED_BSN',
      organisationId: M,
      reason: 'keep it',
      owner: 'allocator',
    });
    expect(place).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    expect(await t.count('legal_holds')).toBe(holdsBefore);
  });

  it('the allocator reaches nothing of the third tenant T (403/404, nothing written)', async () => {
    expect((await t.call('GET', `/policies?organisationId=${T}`, cAdmin())).status).toBe(403);
    expect(await erasuresFor(cAdmin(), 'T')).toEqual([]);
    expect((await t.call('GET', `/legal-holds/${holdId.T}`, cAdmin())).status).toBe(404);
    const lift = await t.call('POST', `/legal-holds/${holdId.T}/lift`, cAdmin(), { reason: 'x' });
    expect(lift).toMatchObject({ status: 404, json: { code: 'HOLD_NOT_FOUND' } });
    expect((await holdsRow(holdId.T))[0]?.lifted_at).toBeNull();
    const set = await t.call('PUT', `/policies/HASHED_BSN/organisations/${T}`, cAdmin(), {
      retention: 'P0D',
      reason: 'x',
    });
    expect(set.status).toBe(403);
  });

  it('the member reaches nothing of its allocator (403/404, nothing written)', async () => {
    const m = admin('M');
    expect((await t.call('GET', `/policies?organisationId=${C}`, m)).status).toBe(403);
    expect(await erasuresFor(m, 'C')).toEqual([]);
    expect((await t.call('GET', `/legal-holds/${holdId.C}`, m)).status).toBe(404);
    const holds = asList<Hold>(await t.call('GET', '/legal-holds', m)).map((h) => h.id);
    expect(holds).toEqual([holdId.M]);
    expect(await overdueRegistrations(m)).not.toContain(registration.C);
    const lift = await t.call('POST', `/legal-holds/${holdId.C}/lift`, m, { reason: 'x' });
    expect(lift).toMatchObject({ status: 404, json: { code: 'HOLD_NOT_FOUND' } });
    expect((await holdsRow(holdId.C))[0]?.lifted_at).toBeNull();
  });

  it('after MembershipEnded the allocator reads nothing of its former member; the member keeps its own', async () => {
    await orgs.membershipEnded(membership);
    expect((await t.call('GET', `/policies?organisationId=${M}`, cAdmin())).status).toBe(403);
    expect(await erasuresFor(cAdmin(), 'M')).toEqual([]);
    expect((await t.call('GET', `/legal-holds/${holdId.M}`, cAdmin())).status).toBe(404);
    const holds = asList<Hold>(await t.call('GET', '/legal-holds', cAdmin())).map((h) => h.id);
    expect(holds).toEqual([holdId.C]);
    const audit = asList<{ holdId: string }>(await t.call('GET', '/legal-holds/audit', cAdmin())).map(
      (a) => a.holdId,
    );
    expect(audit).not.toContain(holdId.M);
    const log = (
      (await t.call('GET', '/deletion-log', cAdmin())).json.records as { organisationId: string }[]
    ).map((r) => r.organisationId);
    expect(log).toEqual([C]);
    // M's own admin still reads its own.
    expect(await erasuresFor(admin('M'), 'M')).toHaveLength(1);
    expect((await t.call('GET', `/legal-holds/${holdId.M}`, admin('M'))).status).toBe(200);
  });
});
