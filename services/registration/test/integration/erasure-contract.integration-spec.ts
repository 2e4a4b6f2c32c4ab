import { erasureContractCases, ErasureSubject } from '@divit/testing';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * The erasure contract (libs/testing/src/erasure-contract.ts, docs/adr/0019) for registration:
 * IDENTIFYING_DATA_FOR_CHECK (gender marker, postcode and house number cleared on the registration).
 */
describe('registration: the erasure contract (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp(undefined, ['dlqRegistration']);
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  let organisations = 0;
  const cases = erasureContractCases(t, {
    owner: 'REGISTRATION',
    acknowledgementType: 'nl.divit.registration.RegistrationErasureCompleted',
    deadLetterTopic: 'dlqRegistration',
    category: 'IDENTIFYING_DATA_FOR_CHECK',
    notOwned: 'USED_INCOME',
    scopeField: 'registrationId',
    organisation: async () => {
      const res = await t.call('POST', '/organisations', t.platformOperator(), {
        name: `Woonstichting Contract ${t.prefix}${++organisations}`,
        answers: decisionAnswers.routeA,
        effectiveFrom: '2025-01-01',
      });
      if (res.status !== 201) throw new Error(`organisation not registered: ${res.status} ${res.text}`);
      return String(res.json.organisationId);
    },
    // A registration with its check fields (again for the same subject: the fields filled in again).
    seed: async (s: ErasureSubject) => {
      await t.query(
        `INSERT INTO registrations (id, organisation_id, surname, birth_date, gender_marker, postcode, house_number,
           registration_date, version, created_at, updated_at)
         VALUES ($1, $2, 'Contract', '1990-05-17', 'X', '1234AB', 12, '2019-03-14', 1, $3, $3)
         ON CONFLICT (id) DO UPDATE SET gender_marker = 'X', postcode = '1234AB', house_number = 12`,
        [s.registrationId, s.organisationId, s.recordedAt],
      );
      return 1;
    },
    remaining: async (s) => {
      const [row] = await t.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM registrations WHERE id = $1
           AND (gender_marker IS NOT NULL OR postcode IS NOT NULL OR house_number IS NOT NULL)`,
        [s.registrationId],
      );
      return Number(row?.n);
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
