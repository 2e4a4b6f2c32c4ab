import { randomUUID } from 'node:crypto';
import { erasureContractCases, ErasureSubject } from '@divit/testing';
import { IdentityValidationTestApp } from './support';

/** The erasure contract (libs/testing/src/erasure-contract.ts, docs/adr/0019) for identity-validation: HASHED_BSN. */
describe('identity-validation: the erasure contract (real PostgreSQL, Kafka, registry)', () => {
  const t = new IdentityValidationTestApp({}, ['dlqIdentityValidation']);
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  const cases = erasureContractCases(t, {
    owner: 'IDENTITY_VALIDATION',
    acknowledgementType: 'nl.divit.identityvalidation.IdentityErasureCompleted',
    deadLetterTopic: 'dlqIdentityValidation',
    category: 'HASHED_BSN',
    notOwned: 'CONSENT_PROOFS',
    scopeField: 'registrationId',
    organisation: () => Promise.resolve(randomUUID()),
    // One keyed hash per home seeker (never a BSN: a hex digest stands in for the HMAC).
    seed: async (s: ErasureSubject) => {
      await t.query(
        `INSERT INTO bsn_hashes (registration_id, organisation_id, consent_id, key_id, hash, validated_surname,
           validated_birth_date, created_at)
         VALUES ($1, $2, $3, 'k1', encode(sha256(convert_to($1::uuid::text, 'UTF8')), 'hex'), 'Contract', '1990-01-01', $4)
         ON CONFLICT (registration_id) DO NOTHING`,
        [s.registrationId, s.organisationId, randomUUID(), s.recordedAt],
      );
      return 1;
    },
    remaining: async (s) => {
      const [row] = await t.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bsn_hashes WHERE registration_id = $1`,
        [s.registrationId],
      );
      return Number(row?.n);
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
