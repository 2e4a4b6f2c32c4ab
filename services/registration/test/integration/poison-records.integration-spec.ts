import { randomUUID } from 'node:crypto';
import {
  ConsentGrantedEvent,
  IdentityValidationFailedEvent,
  ValidatedIdentityProvidedEvent,
} from '@divit/contracts';
import { checkPoisonRecords, erasureCommandCase } from '@divit/testing';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * Poison records on every topic registration consumes (docs/testing.md, "Poison records"): not Confluent wire
 * format, an unknown schema id, one just under the topic's size limit, then a valid event that must be applied.
 */
describe('registration: poison records on every consumed topic', () => {
  const t = new RegistrationTestApp();
  let org = '';

  /** A registration of the organisation, made through the API; returns its id. */
  async function registration(): Promise<string> {
    const res = await t.call('POST', '/registrations', t.token(org, ['allocation-system']), {
      surname: 'Jansen',
      birthDate: '1990-05-17',
      registrationDate: '2024-03-14',
    });
    expect(res.status).toBe(201);
    return String(res.json.registrationId);
  }

  const identityStatus = async (id: string) =>
    (await t.query<{ s: string }>(`SELECT identity_status AS s FROM registrations WHERE id = $1`, [id]))[0]
      ?.s;

  beforeAll(async () => {
    await t.start();
    const res = await t.call('POST', '/organisations', t.platformOperator(), {
      name: `Corporatie ${t.prefix}`,
      answers: decisionAnswers.routeA,
      effectiveFrom: '2024-01-01',
    });
    expect(res.status).toBe(201);
    org = String(res.json.organisationId);
  }, 120_000);
  afterAll(() => t.stop());

  it('dead-letters each poison record with its reason and applies the valid event after it', async () => {
    const { findings } = await checkPoisonRecords({
      service: 'registration',
      app: t,
      topics: {
        consentConsents: async () => {
          const registrationId = await registration();
          const consentId = randomUUID();
          return {
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
            applied: async () => (await identityStatus(registrationId)) === 'PENDING',
          };
        },
        identityValidationOutcomes: async () => {
          const registrationId = await registration();
          return {
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
            applied: async () => (await identityStatus(registrationId)) === 'FAILED',
          };
        },
        identityValidationValidatedIdentity: async () => {
          const registrationId = await registration();
          return {
            descriptor: ValidatedIdentityProvidedEvent,
            event: {
              key: registrationId,
              value: {
                registrationId,
                subjectId: registrationId,
                subjectRole: 'HOME_SEEKER',
                validatedSurnamePrefix: null,
                validatedSurname: 'Jansen',
                validatedBirthDate: '1990-05-17',
                validatedAt: Date.now(),
              },
            },
            applied: async () => (await identityStatus(registrationId)) === 'VALIDATED',
          };
        },
        retentionCleanupErasureCommands: erasureCommandCase(
          t,
          'REGISTRATION',
          'ACCESS_LOGS',
          'nl.divit.registration.RegistrationErasureCompleted',
          'registrationId',
        ),
      },
    });
    expect(findings).toEqual([]);
  }, 600_000);
});
