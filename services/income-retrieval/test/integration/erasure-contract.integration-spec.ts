import { randomUUID } from 'node:crypto';
import { erasureContractCases, ErasureSubject } from '@divit/testing';
import { IncomeTestApp } from './support';

/** The erasure contract (libs/testing/src/erasure-contract.ts, docs/adr/0019) for income-retrieval: UNUSED_INCOME. */
describe('income-retrieval: the erasure contract (real PostgreSQL, Kafka, registry)', () => {
  const t = new IncomeTestApp({}, ['dlqIncomeRetrieval']);
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  const cases = erasureContractCases(t, {
    owner: 'INCOME_RETRIEVAL',
    acknowledgementType: 'nl.divit.incomeretrieval.IncomeErasureCompleted',
    deadLetterTopic: 'dlqIncomeRetrieval',
    category: 'UNUSED_INCOME',
    notOwned: 'REGISTRATION_DATA',
    scopeField: 'registrationId',
    organisation: () => Promise.resolve(randomUUID()),
    // Income shared by the home seeker and not (yet) used in a completed test, as IncomeShared records it.
    seed: async (s: ErasureSubject) => {
      await t.query(
        `INSERT INTO allocations (allocation_id, registration_id, organisation_id, letting_corporation_id,
           lease_start_date, monthly_rent_cents, household_size, recorded_at)
         VALUES ($1, $2, $3, $3, '2026-01-01', 95000, 1, now()) ON CONFLICT DO NOTHING`,
        [s.allocationId, s.registrationId, s.organisationId],
      );
      await t.query(
        `INSERT INTO shared_incomes (sharing_id, allocation_id, registration_id, subject_id, consent_id, income_cents,
           income_kind, tax_year, received_at, recorded_at)
         VALUES ($1, $2, $3, $4, $5, 3150000, 'AGGREGATE_INCOME', 2024, $6, $6)`,
        [randomUUID(), s.allocationId, s.registrationId, s.subjectId, randomUUID(), s.recordedAt],
      );
      return 1;
    },
    remaining: async (s) => {
      const [row] = await t.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM shared_incomes WHERE registration_id = $1 AND NOT used`,
        [s.registrationId],
      );
      return Number(row?.n);
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
