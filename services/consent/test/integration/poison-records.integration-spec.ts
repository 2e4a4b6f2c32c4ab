import { randomUUID } from 'node:crypto';
import {
  AllocationRecordedEvent,
  OrganisationRegisteredEvent,
  RegistrationCreatedEvent,
} from '@divit/contracts';
import { checkPoisonRecords, erasureCommandCase } from '@divit/testing';
import { ConsentTestApp } from './support';

/**
 * Poison records on every topic consent consumes (docs/testing.md, "Poison records"): not Confluent wire format,
 * an unknown schema id, one just under the topic's size limit, then a valid event that must be applied.
 */
describe('consent: poison records on every consumed topic', () => {
  const t = new ConsentTestApp();
  const exists = async (sql: string, params: unknown[]) => (await t.query(sql, params)).length > 0;

  beforeAll(async () => {
    await t.start();
  }, 120_000);
  afterAll(() => t.stop());

  it('dead-letters each poison record with its reason and applies the valid event after it', async () => {
    const { findings } = await checkPoisonRecords({
      service: 'consent',
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
                name: 'Woonstichting Gif',
                kind: 'CORPORATION',
                route: 'A',
                coordinatorOrganisationId: null,
                effectiveFrom: '2024-01-01',
                occurredAt: Date.now(),
              },
            },
            applied: () =>
              exists(`SELECT 1 FROM organisation_routes WHERE organisation_id = $1`, [organisationId]),
          });
        },
        registrationRegistrations: () => {
          const registrationId = randomUUID();
          return Promise.resolve({
            descriptor: RegistrationCreatedEvent,
            event: {
              key: registrationId,
              value: {
                registrationId,
                organisationId: randomUUID(),
                registrationDate: '2024-01-01',
                origin: 'API',
                occurredAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM registrations WHERE id = $1`, [registrationId]),
          });
        },
        registrationAllocations: () => {
          const allocationId = randomUUID();
          const registrationId = randomUUID();
          const organisationId = randomUUID();
          return Promise.resolve({
            descriptor: AllocationRecordedEvent,
            event: {
              key: allocationId,
              value: {
                allocationId,
                registrationId,
                organisationId,
                lettingCorporationId: organisationId,
                leaseStartDate: '2026-12-01',
                monthlyRentCents: 65_000,
                exemptionGroup: null,
                members: [{ memberId: registrationId, role: 'HOME_SEEKER', adult: true }],
                occurredAt: Date.now(),
              },
            },
            applied: () => exists(`SELECT 1 FROM allocations WHERE id = $1`, [allocationId]),
          });
        },
        retentionCleanupErasureCommands: erasureCommandCase(
          t,
          'CONSENT',
          'CONSENT_PROOFS',
          'nl.divit.consent.ConsentErasureCompleted',
        ),
      },
    });
    expect(findings).toEqual([]);
  }, 600_000);
});
