import { randomUUID } from 'node:crypto';
import {
  AllocationRecordedEvent,
  ConsentGrantedEvent,
  ErasureRequestedEvent,
  IdentityCheckRequestedEvent,
  ReceiptSigningKeyPublishedEvent,
  RegistrationDeregisteredEvent,
} from '@divit/contracts';
import { checkPoisonRecords } from '@divit/testing';
import { IdentityValidationTestApp } from './support';

/**
 * Poison records on every topic identity-validation consumes (docs/testing.md, "Poison records"): not Confluent
 * wire format, an unknown schema id, one just under the topic's size limit, then a valid event that must be applied.
 */
describe('identity-validation: poison records on every consumed topic', () => {
  const t = new IdentityValidationTestApp();
  const org = randomUUID();
  const exists = async (sql: string, params: unknown[]) => (await t.query(sql, params)).length > 0;

  /** A stored hash for a registration (the effect of deregistration and erasure is that it is gone). */
  async function storedHash(): Promise<string> {
    const registrationId = randomUUID();
    await t.query(
      `INSERT INTO bsn_hashes (registration_id, organisation_id, consent_id, key_id, hash, validated_surname, validated_birth_date)
       VALUES ($1, $2, $3, 'k1', $4, 'Testhuizen', '1990-04-12')`,
      [registrationId, org, randomUUID(), 'a'.repeat(64)],
    );
    return registrationId;
  }

  beforeAll(async () => {
    await t.start();
  }, 120_000);
  afterAll(() => t.stop());

  it('dead-letters each poison record with its reason and applies the valid event after it', async () => {
    const { findings } = await checkPoisonRecords({
      service: 'identity-validation',
      app: t,
      topics: {
        consentReceiptKeys: () => {
          const keyId = `poison-${randomUUID()}`;
          return Promise.resolve({
            descriptor: ReceiptSigningKeyPublishedEvent,
            event: {
              key: keyId,
              value: {
                keyId,
                publicKey: 'x'.repeat(43),
                activeFrom: Date.now(),
                retiredAt: null,
                publishedAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM receipt_signing_keys WHERE key_id = $1`, [keyId]),
          });
        },
        consentConsents: () => {
          const registrationId = randomUUID();
          const consentId = randomUUID();
          return Promise.resolve({
            descriptor: ConsentGrantedEvent,
            event: {
              key: registrationId,
              value: {
                consentId,
                organisationId: org,
                registrationId,
                subjectId: registrationId,
                subjectRole: 'HOME_SEEKER',
                allocationId: null,
                purpose: 'BSN_AT_REGISTRATION',
                textVersionHash: 'f'.repeat(64),
                receiptId: `receipt-${consentId}`,
                grantedAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM consents WHERE consent_id = $1`, [consentId]),
          });
        },
        registrationIdentityData: () => {
          const registrationId = randomUUID();
          const consentId = randomUUID();
          return Promise.resolve({
            descriptor: IdentityCheckRequestedEvent,
            event: {
              key: registrationId,
              value: {
                requestId: randomUUID(),
                consentId,
                registrationId,
                subjectId: registrationId,
                subjectRole: 'HOME_SEEKER',
                purpose: 'BSN_AT_REGISTRATION',
                surnamePrefix: null,
                surname: 'Testhuizen',
                birthDate: '1990-04-12',
                genderMarker: 'V',
                postcode: null,
                houseNumber: null,
                houseNumberAddition: null,
                requestedAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM identity_check_requests WHERE consent_id = $1`, [consentId]),
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
                lettingCorporationId: randomUUID(),
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
        registrationRegistrations: async () => {
          const registrationId = await storedHash();
          return {
            descriptor: RegistrationDeregisteredEvent,
            event: {
              key: registrationId,
              value: { registrationId, organisationId: org, occurredAt: Date.now() },
            },
            applied: async () =>
              !(await exists(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1`, [registrationId])),
          };
        },
        retentionCleanupErasureCommands: async () => {
          const registrationId = await storedHash();
          const erasureId = randomUUID();
          return {
            descriptor: ErasureRequestedEvent,
            event: {
              key: registrationId,
              value: {
                erasureId,
                targetService: 'IDENTITY_VALIDATION',
                category: 'HASHED_BSN',
                reason: 'REGISTRATION_DEREGISTERED',
                policyId: 'default/HASHED_BSN',
                organisationId: null,
                registrationId,
                subjectId: null,
                allocationId: null,
                recordedBefore: null,
                requestedAt: Date.now(),
              },
            },
            applied: async () =>
              !(await exists(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1`, [registrationId])) &&
              t.received.some(
                (e) =>
                  e.type === 'nl.divit.identityvalidation.IdentityErasureCompleted' &&
                  e.value.erasureId === erasureId,
              ),
          };
        },
      },
    });
    expect(findings).toEqual([]);
  }, 600_000);
});
