import { randomUUID } from 'node:crypto';
import {
  AllocationClosedEvent,
  BillingErasureCompletedEvent,
  ConsentErasureCompletedEvent,
  ConsentWithdrawnEvent,
  DataCategory,
  EventDescriptor,
  IdentityErasureCompletedEvent,
  IdentityValidationFailedEvent,
  IncomeDecisionMadeEvent,
  IncomeErasureCompletedEvent,
  MemberRequestUpdatedEvent,
  OwningService,
  RegistrationDeregisteredEvent,
  RegistrationErasureCompletedEvent,
} from '@divit/contracts';
import { checkPoisonRecords, organisationRegisteredCase, PoisonTopicCase } from '@divit/testing';
import { RetentionTestApp } from './support';

/**
 * Poison records on every topic retention-cleanup consumes (docs/testing.md, "Poison records"): not Confluent wire
 * format, an unknown schema id, one just under the topic's size limit, then a valid event that must be applied.
 */
describe('retention-cleanup: poison records on every consumed topic', () => {
  const t = new RetentionTestApp();
  const org = randomUUID();
  const exists = async (sql: string, params: unknown[]) => (await t.query(sql, params)).length > 0;
  /** A lifecycle event applied: it scheduled erasures for the registration. */
  const scheduledFor = (registrationId: string) => () =>
    exists(`SELECT 1 FROM scheduled_erasures WHERE registration_id = $1`, [registrationId]);

  /**
   * An owner's acknowledgement of an erasure command issued to it (the command is put in place directly: only the
   * acknowledgement is under test); applied when the erasure is completed.
   */
  function acknowledgement(
    descriptor: EventDescriptor<
      string,
      { erasureId: string; category: DataCategory; erasedCount: number; completedAt: number }
    >,
    target: OwningService,
    category: DataCategory,
  ): () => Promise<PoisonTopicCase> {
    return async () => {
      const erasureId = randomUUID();
      await t.query(
        `INSERT INTO scheduled_erasures (erasure_id, category, target_service, reason, trigger, policy_id,
           registration_id, trigger_at, due_at, dedupe_key, status, first_sent_at, last_sent_at, send_count)
         VALUES ($1, $2, $3, 'REGISTRATION_DEREGISTERED', 'REGISTRATION_DEREGISTERED', $4, $5, now(), now(), $6,
           'ISSUED', now(), now(), 1)`,
        [erasureId, category, target, `default/${category}`, randomUUID(), `poison-${erasureId}`],
      );
      return {
        descriptor,
        event: { key: erasureId, value: { erasureId, category, erasedCount: 0, completedAt: Date.now() } },
        applied: () =>
          exists(`SELECT 1 FROM scheduled_erasures WHERE erasure_id = $1 AND status = 'COMPLETED'`, [
            erasureId,
          ]),
        inbox: false, // idempotent on the erasure id without inbox marks (ADR 0038)
      };
    };
  }

  beforeAll(async () => {
    await t.start();
  }, 120_000);
  afterAll(() => t.stop());

  it('dead-letters each poison record with its reason and applies the valid event after it', async () => {
    const { findings } = await checkPoisonRecords({
      service: 'retention-cleanup',
      app: t,
      topics: {
        // Routes and memberships for the coordinator scope (ADR 0018).
        registrationOrganisations: organisationRegisteredCase(t),
        consentConsents: () => {
          const registrationId = randomUUID();
          return Promise.resolve({
            descriptor: ConsentWithdrawnEvent,
            event: {
              key: registrationId,
              value: {
                consentId: randomUUID(),
                organisationId: org,
                registrationId,
                subjectId: registrationId,
                subjectRole: 'HOME_SEEKER',
                allocationId: null,
                purpose: 'BSN_AT_REGISTRATION',
                withdrawnAt: Date.now(),
              },
            },
            applied: scheduledFor(registrationId),
          });
        },
        identityValidationOutcomes: () => {
          const registrationId = randomUUID();
          return Promise.resolve({
            descriptor: IdentityValidationFailedEvent,
            event: {
              key: registrationId,
              value: {
                consentId: randomUUID(),
                registrationId,
                subjectId: registrationId,
                subjectRole: 'HOME_SEEKER',
                purpose: 'BSN_AT_REGISTRATION',
                failure: 'U3_BSN_CHECK_FAILED',
                failedAt: Date.now(),
                allocationId: null,
              },
            },
            applied: scheduledFor(registrationId),
          });
        },
        registrationAllocations: () => {
          const registrationId = randomUUID();
          const allocationId = randomUUID();
          return Promise.resolve({
            descriptor: AllocationClosedEvent,
            event: {
              key: allocationId,
              value: {
                allocationId,
                registrationId,
                organisationId: org,
                outcome: 'LEASE_SIGNED',
                closedAt: Date.now(),
              },
            },
            applied: scheduledFor(registrationId),
          });
        },
        registrationRegistrations: () => {
          const registrationId = randomUUID();
          return Promise.resolve({
            descriptor: RegistrationDeregisteredEvent,
            event: {
              key: registrationId,
              value: { registrationId, organisationId: org, occurredAt: Date.now() },
            },
            applied: scheduledFor(registrationId),
          });
        },
        incomeRetrievalDecisions: () => {
          const registrationId = randomUUID();
          const allocationId = randomUUID();
          return Promise.resolve({
            descriptor: IncomeDecisionMadeEvent,
            event: {
              key: allocationId,
              value: {
                decisionId: randomUUID(),
                allocationId,
                registrationId,
                organisationId: org,
                lettingCorporationId: org,
                outcome: 'ELIGIBLE',
                alternativeRouteReason: null,
                failedMemberId: null,
                passendCategory: 'ONE_PERSON',
                withinPassendLimit: true,
                passend: true,
                householdSize: 1,
                incomeYear: 2024,
                normVersion: '2025-01-01',
                decidedAt: Date.now(),
                evidenceReference: 'income-retrieval:statements/x',
              },
            },
            applied: scheduledFor(registrationId),
          });
        },
        incomeRetrievalMemberRequests: () => {
          const registrationId = randomUUID();
          const allocationId = randomUUID();
          return Promise.resolve({
            descriptor: MemberRequestUpdatedEvent,
            event: {
              key: allocationId,
              value: {
                allocationId,
                registrationId,
                memberId: randomUUID(),
                role: 'CO_RESIDENT',
                status: 'FAILED',
                failure: null,
                deadlineAt: Date.now(),
                occurredAt: Date.now(),
              },
            },
            applied: scheduledFor(registrationId),
          });
        },
        registrationErasures: acknowledgement(
          RegistrationErasureCompletedEvent,
          'REGISTRATION',
          'REGISTRATION_DATA',
        ),
        consentErasures: acknowledgement(ConsentErasureCompletedEvent, 'CONSENT', 'CONSENT_PROOFS'),
        identityValidationErasures: acknowledgement(
          IdentityErasureCompletedEvent,
          'IDENTITY_VALIDATION',
          'HASHED_BSN',
        ),
        incomeRetrievalErasures: acknowledgement(
          IncomeErasureCompletedEvent,
          'INCOME_RETRIEVAL',
          'UNUSED_INCOME',
        ),
        billingReconciliationErasures: acknowledgement(
          BillingErasureCompletedEvent,
          'BILLING_RECONCILIATION',
          'USAGE_LEDGER',
        ),
      },
    });
    expect(findings).toEqual([]);
  }, 900_000);
});
