import {
  AllocationRecordedEvent,
  ConsentGrantedEvent,
  IdentityValidationFailedEvent,
  IncomeSharedEvent,
} from '@divit/contracts';
import { checkPoisonRecords, erasureCommandCase, organisationRegisteredCase } from '@divit/testing';
import { consentIdFor, household, incomeEvent, IncomeTestApp, subjectOf } from './support';

/**
 * Poison records on every topic income-retrieval consumes (docs/testing.md, "Poison records"): not Confluent wire
 * format, an unknown schema id, one just under the topic's size limit, then a valid event that must be applied.
 */
describe('income-retrieval: poison records on every consumed topic', () => {
  const t = new IncomeTestApp();
  const exists = async (sql: string, params: unknown[]) => (await t.query(sql, params)).length > 0;

  beforeAll(async () => {
    await t.start();
  }, 120_000);
  afterAll(() => t.stop());

  it('dead-letters each poison record with its reason and applies the valid event after it', async () => {
    const { findings } = await checkPoisonRecords({
      service: 'income-retrieval',
      app: t,
      topics: {
        // Routes and memberships for the coordinator scope (ADR 0018).
        registrationOrganisations: organisationRegisteredCase(t),
        registrationAllocations: () => {
          const h = household({ adults: 1 });
          return Promise.resolve({
            descriptor: AllocationRecordedEvent,
            event: { key: h.allocation.allocationId, value: h.allocation },
            applied: () =>
              exists(`SELECT 1 FROM allocations WHERE allocation_id = $1`, [h.allocation.allocationId]),
          });
        },
        consentConsents: () => {
          const h = household();
          return Promise.resolve({
            descriptor: ConsentGrantedEvent,
            event: {
              key: h.allocation.registrationId,
              value: {
                consentId: consentIdFor(h.homeSeeker),
                organisationId: h.allocation.organisationId,
                registrationId: h.allocation.registrationId,
                subjectId: subjectOf(h, h.homeSeeker),
                subjectRole: 'HOME_SEEKER',
                allocationId: h.allocation.allocationId,
                purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
                textVersionHash: 'ab'.repeat(32),
                receiptId: `rcpt-${h.homeSeeker}`,
                grantedAt: Date.now(),
              },
            },
            applied: () =>
              exists(`SELECT 1 FROM member_signals WHERE allocation_id = $1 AND kind = 'CONSENT_GRANTED'`, [
                h.allocation.allocationId,
              ]),
          });
        },
        identityValidationOutcomes: () => {
          const h = household();
          return Promise.resolve({
            descriptor: IdentityValidationFailedEvent,
            event: {
              key: h.allocation.registrationId,
              value: {
                consentId: consentIdFor(h.homeSeeker),
                registrationId: h.allocation.registrationId,
                subjectId: subjectOf(h, h.homeSeeker),
                subjectRole: 'HOME_SEEKER',
                purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
                failure: 'U4_HASH_MISMATCH',
                failedAt: Date.now(),
                allocationId: h.allocation.allocationId,
              },
            },
            applied: () =>
              exists(`SELECT 1 FROM member_signals WHERE allocation_id = $1 AND kind = 'VALIDATION_FAILED'`, [
                h.allocation.allocationId,
              ]),
          });
        },
        identityValidationSharedIncome: () => {
          const h = household();
          const income = incomeEvent(h, h.homeSeeker, 2_500_000);
          return Promise.resolve({
            descriptor: IncomeSharedEvent,
            event: { key: h.allocation.allocationId, value: income },
            applied: () => exists(`SELECT 1 FROM shared_incomes WHERE sharing_id = $1`, [income.sharingId]),
          });
        },
        retentionCleanupErasureCommands: erasureCommandCase(
          t,
          'INCOME_RETRIEVAL',
          'ACCESS_LOGS',
          'nl.divit.incomeretrieval.IncomeErasureCompleted',
        ),
      },
    });
    expect(findings).toEqual([]);
  }, 600_000);
});
