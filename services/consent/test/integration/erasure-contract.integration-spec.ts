import { randomUUID } from 'node:crypto';
import { erasureContractCases, ErasureSubject } from '@divit/testing';
import { ConsentTestApp } from './support';

/** The erasure contract (libs/testing/src/erasure-contract.ts, docs/adr/0019) for consent: CONSENT_PROOFS. */
describe('consent: the erasure contract (real PostgreSQL, Kafka, registry)', () => {
  const t = new ConsentTestApp();
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  const where = `registration_id = $1`;
  const cases = erasureContractCases(t, {
    owner: 'CONSENT',
    acknowledgementType: 'nl.divit.consent.ConsentErasureCompleted',
    deadLetterTopic: 'dlqConsent',
    category: 'CONSENT_PROOFS',
    notOwned: 'HASHED_BSN',
    scopeField: 'registrationId',
    organisation: () => Promise.resolve(randomUUID()),
    // A showing and the answer to it, as ShowingsService and ConsentsService write them.
    seed: async (s: ErasureSubject) => {
      const showingId = randomUUID();
      const common = [s.organisationId, s.registrationId, s.subjectId, s.allocationId, s.recordedAt];
      await t.query(
        `INSERT INTO consent_showings (id, text_id, text_version_hash, organisation_id, registration_id, subject_id,
           subject_role, allocation_id, purpose, channel, shown_at, controller_route, controllers, recorded_by)
         VALUES ($6, $7, repeat('a', 64), $1, $2, $3, 'HOME_SEEKER', $4, 'INCOME_CHECK', 'WEB', $5, 'A', '[]', 'contract')`,
        [...common, showingId, randomUUID()],
      );
      await t.query(
        `INSERT INTO consents (id, showing_id, text_id, text_version_hash, organisation_id, registration_id, subject_id,
           subject_role, allocation_id, purpose, answer, answered_at, controller_route, controllers, recorded_by)
         VALUES ($6, $7, $8, repeat('a', 64), $1, $2, $3, 'HOME_SEEKER', $4, 'INCOME_CHECK', 'GRANTED', $5, 'A', '[]', 'contract')`,
        [...common, randomUUID(), showingId, randomUUID()],
      );
      return 2;
    },
    remaining: async (s) => {
      const [row] = await t.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM consents WHERE ${where}) + (SELECT count(*) FROM consent_showings WHERE ${where}) AS n`,
        [s.registrationId],
      );
      return Number(row?.n);
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
