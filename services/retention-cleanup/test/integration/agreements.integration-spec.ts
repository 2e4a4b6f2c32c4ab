import { randomUUID } from 'node:crypto';
import { IncomeDecisionMadeEvent } from '@divit/contracts';
import type { DecisionOutcome } from '@divit/contracts';
import { pendingSchemaChanges } from '@divit/persistence';
import { RetentionTestApp, eventually } from './support';
import { parseAgreements } from '../../src/policies/agreements/agreement';
import woonkans from '../../src/policies/agreements/woonkans.json';
import { adoptionView, agreementView, policyView } from '../../src/policies/dto/policy.dto';
import { erasureView } from '../../src/erasures/dto/erasure.dto';

/**
 * Issue 16 item 11 (docs/adr/0036): an agreement's own retention periods as data, adopted by an organisation through
 * the admin API. Woonkans (shipped) sets the access logs to 12 months citing the agreement. Its 5/15-year rule is
 * about the municipality's Wmo files, which the platform does not hold, so the outcome-dependent retention is shown
 * with a test agreement on used income, the one category whose trigger (the income decision) carries an outcome.
 */
const outcomeAgreement = {
  id: 'outcome-test',
  name: 'Test agreement: used income by the decision outcome',
  sourceDocument: 'agreements.integration-spec.ts (test only)',
  policies: [
    {
      category: 'USED_INCOME',
      retentionByOutcome: { ELIGIBLE: 'P7Y', NOT_ELIGIBLE: 'P5Y' },
      source: 'test agreement §1',
      assumption: false,
    },
  ],
};

describe('retention-cleanup: agreement policy sets (issue 16 item 11)', () => {
  const t = new RetentionTestApp({}, parseAgreements([woonkans, outcomeAgreement]));
  const orgA = randomUUID();
  const orgB = randomUUID();
  let adminA = '';
  let adminB = '';
  let operator = '';

  beforeAll(async () => {
    await t.start();
    adminA = t.token(orgA, ['admin'], 'admin-a');
    adminB = t.token(orgB, ['admin'], 'admin-b');
    operator = t.platformOperator();
  });
  afterAll(() => t.stop());

  it('entities and migrations describe the same schema', async () => {
    expect(await pendingSchemaChanges(t.db.dataSource)).toEqual([]);
  });

  it('an organisation that adopted Woonkans keeps access logs 12 months citing the agreement; audited; the sweep follows it', async () => {
    const listed = await t.call('GET', '/agreements', adminA);
    expect(listed.status).toBe(200);
    const agreements = agreementView.array().parse(listed.json);
    expect(agreements.find((a) => a.id === 'woonkans')?.notHeld).toHaveLength(5);

    const adopted = await t.call('PUT', `/agreements/organisations/${orgA}`, adminA, {
      agreementId: 'woonkans',
      reason: 'member of Woonkans since 2024',
    });
    expect(adopted.status).toBe(200);
    const body = adoptionView.parse(adopted.json);
    expect(body.agreement).toMatchObject({ agreementId: 'woonkans', adoptedBy: 'admin-a' });

    const inForce = policyView
      .array()
      .parse((await t.call('GET', `/policies?organisationId=${orgA}`, adminA)).json);
    const logs = inForce.find((p) => p.category === 'ACCESS_LOGS');
    expect(logs).toMatchObject({
      retention: 'P12M',
      policyId: 'agreement:woonkans/ACCESS_LOGS',
      agreementId: 'woonkans',
      organisationId: orgA,
      overridden: false,
    });
    expect(logs?.source).toMatch(/seeds\/002.*Bewaartermijn logbestanden: 12 maanden/);
    // Categories the agreement does not set stay the defaults.
    expect(inForce.find((p) => p.category === 'USED_INCOME')).toMatchObject({
      policyId: 'default/USED_INCOME',
      agreementId: null,
    });

    const audit = await t.query<{ action: string; changed_fields: string[]; changed_values: unknown }>(
      `SELECT action, changed_fields, changed_values FROM access_log_entries
        WHERE organisation_id = $1 AND resource_type = 'retention-agreement' ORDER BY id`,
      [orgA],
    );
    expect(audit).toEqual([
      {
        action: 'RETENTION_AGREEMENT_ADOPTED',
        changed_fields: ['agreementId', 'reason'],
        changed_values: { agreementId: { from: null, to: 'woonkans' } },
      },
    ]);

    // The age sweep sends each owner one ACCESS_LOGS command for this organisation, naming the agreement's policy.
    const before = Date.now();
    expect((await t.call('POST', '/sweeps', operator)).status).toBe(200);
    const commands = await t.commandsMatching(
      (v) => v.policyId === 'agreement:woonkans/ACCESS_LOGS' && v.organisationId === orgA,
      5,
    );
    expect(commands).toHaveLength(5);
    for (const c of commands) {
      const recordedBefore = new Date(Number(c.recordedBefore));
      const expected = new Date(before);
      expected.setUTCFullYear(expected.getUTCFullYear() - 1);
      expect(Math.abs(recordedBefore.getTime() - expected.getTime())).toBeLessThan(2 * 86_400_000);
    }
  });

  it('an organisation whose agreement sets used income by outcome gets each decision its own due date; leaving reschedules', async () => {
    expect(
      (
        await t.call('PUT', `/agreements/organisations/${orgB}`, adminB, {
          agreementId: 'outcome-test',
          reason: 'test',
        })
      ).status,
    ).toBe(200);
    const decidedAt = Date.UTC(2026, 2, 10, 12, 0, 0);
    const decide = async (outcome: DecisionOutcome) => {
      const registrationId = randomUUID();
      const allocationId = randomUUID();
      await t.publish(IncomeDecisionMadeEvent, [
        {
          key: allocationId,
          value: {
            decisionId: randomUUID(),
            allocationId,
            registrationId,
            organisationId: orgB,
            lettingCorporationId: orgB,
            outcome,
            alternativeRouteReason: null,
            failedMemberId: null,
            passendCategory: 'ONE_PERSON',
            withinPassendLimit: true,
            passend: true,
            householdSize: 1,
            incomeYear: 2024,
            normVersion: '2026-01-01',
            decidedAt,
            evidenceReference: 'income-retrieval:statements/x',
          },
        },
      ]);
      return registrationId;
    };
    const eligible = await decide('ELIGIBLE');
    const notEligible = await decide('NOT_ELIGIBLE');
    const erasureOf = async (registrationId: string) => {
      const r = await eventually(() => t.call('GET', `/erasures?registrationId=${registrationId}`, adminB), {
        description: `the used-income erasure of ${registrationId}`,
        until: (x) => Array.isArray(x.json) && x.json.length === 1,
      });
      return erasureView.array().parse(r.json)[0]!;
    };
    // Decided in 2026: from the end of 2026 (Europe/Amsterdam), plus the outcome's period.
    expect(await erasureOf(eligible)).toMatchObject({
      category: 'USED_INCOME',
      policyId: 'agreement:outcome-test/USED_INCOME',
      dueAt: '2033-12-31T23:00:00.000Z',
    });
    expect(await erasureOf(notEligible)).toMatchObject({
      policyId: 'agreement:outcome-test/USED_INCOME',
      dueAt: '2031-12-31T23:00:00.000Z',
    });

    // Leaving the agreement: the default (end of year t+2) for both; adopting again: each by its outcome again.
    const left = await t.call('DELETE', `/agreements/organisations/${orgB}`, adminB);
    expect(left.status).toBe(200);
    expect(adoptionView.parse(left.json)).toMatchObject({ agreement: null, rescheduled: 2 });
    expect(await erasureOf(eligible)).toMatchObject({
      policyId: 'default/USED_INCOME',
      dueAt: '2028-12-31T23:00:00.000Z',
    });
    expect(await erasureOf(notEligible)).toMatchObject({ dueAt: '2028-12-31T23:00:00.000Z' });
    const again = await t.call('PUT', `/agreements/organisations/${orgB}`, adminB, {
      agreementId: 'outcome-test',
      reason: 'back in',
    });
    expect(adoptionView.parse(again.json).rescheduled).toBe(2);
    expect((await erasureOf(eligible)).dueAt).toBe('2033-12-31T23:00:00.000Z');
    expect((await erasureOf(notEligible)).dueAt).toBe('2031-12-31T23:00:00.000Z');
    // An override still wins over the agreement (one retention for every outcome).
    const override = await t.call('PUT', `/policies/USED_INCOME/organisations/${orgB}`, adminB, {
      retention: 'P3Y',
      reason: 'own period',
    });
    expect(override.json).toMatchObject({
      policyId: `${orgB}/USED_INCOME`,
      retention: 'P3Y',
      retentionByOutcome: null,
      rescheduled: 2,
    });
    expect((await erasureOf(notEligible)).dueAt).toBe('2029-12-31T23:00:00.000Z');
  });

  it("refuses a tenant's admin adopting or leaving an agreement for another tenant (problem+json, nothing written)", async () => {
    const before = await t.query<{ agreement_id: string }>(
      `SELECT agreement_id FROM organisation_agreements WHERE organisation_id = $1`,
      [orgA],
    );
    const attack = await t.call('PUT', `/agreements/organisations/${orgA}`, adminB, {
      agreementId: 'outcome-test',
      reason: 'not mine',
    });
    expect(attack).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    expect(attack.type).toContain('application/problem+json');
    const leave = await t.call('DELETE', `/agreements/organisations/${orgA}`, adminB);
    expect(leave).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    expect(
      await t.query(`SELECT agreement_id FROM organisation_agreements WHERE organisation_id = $1`, [orgA]),
    ).toEqual(before);
    expect(before).toEqual([{ agreement_id: 'woonkans' }]);
    // An auditor reads but never adopts.
    const auditor = await t.call('PUT', `/agreements/organisations/${orgA}`, t.token(orgA, ['auditor']), {
      agreementId: 'woonkans',
      reason: 'x',
    });
    expect(auditor.status).toBe(403);
  });

  it('answers bad input with problem+json: unknown agreement, extra or missing fields, no adoption to leave', async () => {
    const org = randomUUID();
    const admin = t.token(org, ['admin']);
    const path = `/agreements/organisations/${org}`;
    const unknown = await t.call('PUT', path, admin, { agreementId: 'no-such', reason: 'x' });
    expect(unknown).toMatchObject({ status: 422, json: { code: 'AGREEMENT_NOT_FOUND' } });
    expect(unknown.type).toContain('application/problem+json');
    for (const body of [
      { agreementId: 'woonkans' },
      { agreementId: 'woonkans', reason: 'x', retention: 'P0D' },
      { agreementId: 'woonkans', reason: 'bad\u0000text' },
    ]) {
      const r = await t.call('PUT', path, admin, body);
      expect(r).toMatchObject({ status: 400, json: { code: 'VALIDATION_FAILED' } });
      expect(r.type).toContain('application/problem+json');
    }
    expect(
      (
        await t.call('PUT', '/agreements/organisations/not-a-uuid', admin, {
          agreementId: 'woonkans',
          reason: 'x',
        })
      ).status,
    ).toBe(400);
    const none = await t.call('DELETE', path, admin);
    expect(none).toMatchObject({ status: 404, json: { code: 'AGREEMENT_NOT_ADOPTED' } });
    expect(await t.query(`SELECT 1 FROM organisation_agreements WHERE organisation_id = $1`, [org])).toEqual(
      [],
    );
  });
});
