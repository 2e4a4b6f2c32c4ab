import { randomUUID } from 'node:crypto';
import { AllocationRecordedEvent, OrganisationRegisteredEvent, UsageRecordedEvent } from '@divit/contracts';
import { checkPoisonRecords, erasureCommandCase } from '@divit/testing';
import { BillingTestApp } from './support';

/**
 * Poison records on every topic billing-reconciliation consumes (docs/testing.md, "Poison records"): not Confluent
 * wire format, an unknown schema id, one just under the topic's size limit, then a valid event that must be applied.
 */
describe('billing-reconciliation: poison records on every consumed topic', () => {
  const t = new BillingTestApp();
  const exists = async (sql: string, params: unknown[]) => (await t.query(sql, params)).length > 0;
  let org = '';

  beforeAll(async () => {
    await t.start();
    org = await t.organisation('Woonstichting Gif', 'CORPORATION', 'A');
    await t.waitForRows('organisations', 1, `organisation_id = '${org}'`);
  }, 120_000);
  afterAll(() => t.stop());

  it('dead-letters each poison record with its reason and applies the valid event after it', async () => {
    const { findings } = await checkPoisonRecords({
      service: 'billing-reconciliation',
      app: t,
      topics: {
        registrationOrganisations: () => {
          const organisationId = randomUUID();
          return Promise.resolve({
            descriptor: OrganisationRegisteredEvent,
            event: {
              key: organisationId,
              value: {
                organisationId,
                name: 'Woonstichting Na Gif',
                kind: 'CORPORATION',
                route: 'A',
                coordinatorOrganisationId: null,
                effectiveFrom: '2024-01-01',
                occurredAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM organisations WHERE organisation_id = $1`, [organisationId]),
          });
        },
        registrationAllocations: () => {
          const allocationId = randomUUID();
          return Promise.resolve({
            descriptor: AllocationRecordedEvent,
            event: {
              key: allocationId,
              value: {
                allocationId,
                registrationId: randomUUID(),
                organisationId: org,
                lettingCorporationId: org,
                leaseStartDate: '2026-07-01',
                monthlyRentCents: 65_000,
                exemptionGroup: null,
                members: [{ memberId: randomUUID(), role: 'HOME_SEEKER', adult: true }],
                occurredAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM allocations WHERE allocation_id = $1`, [allocationId]),
          });
        },
        identityValidationUsage: () => {
          const usageId = randomUUID();
          const sessionId = randomUUID();
          return Promise.resolve({
            descriptor: UsageRecordedEvent,
            event: {
              key: sessionId,
              value: {
                usageId,
                unit: 'DIGID_LOGIN',
                organisationId: org,
                lettingCorporationId: null,
                allocationId: null,
                purpose: 'BSN_AT_REGISTRATION',
                sessionId,
                occurredAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM usage_records WHERE usage_id = $1`, [usageId]),
            inbox: false, // idempotent on usage_id without inbox marks (ADR 0038)
          });
        },
        retentionCleanupErasureCommands: erasureCommandCase(
          t,
          'BILLING_RECONCILIATION',
          'ACCESS_LOGS',
          'nl.divit.billingreconciliation.BillingErasureCompleted',
        ),
      },
    });
    expect(findings).toEqual([]);
  }, 600_000);
});
