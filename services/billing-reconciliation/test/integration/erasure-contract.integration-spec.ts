import { randomUUID } from 'node:crypto';
import { erasureContractCases, ErasureSubject } from '@divit/testing';
import { BillingTestApp } from './support';

/**
 * The erasure contract (libs/testing/src/erasure-contract.ts, docs/adr/0019) for billing-reconciliation:
 * USAGE_LEDGER. Usage rows hold no registration or person, so one subject's rows are those of its allocation.
 */
describe('billing-reconciliation: the erasure contract (real PostgreSQL, Kafka, registry)', () => {
  const t = new BillingTestApp();
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  const cases = erasureContractCases(t, {
    owner: 'BILLING_RECONCILIATION',
    acknowledgementType: 'nl.divit.billingreconciliation.BillingErasureCompleted',
    deadLetterTopic: 'dlqBillingReconciliation',
    category: 'USAGE_LEDGER',
    notOwned: 'HASHED_BSN',
    scopeField: 'allocationId',
    organisation: () => Promise.resolve(randomUUID()),
    // One MijnOverheid usage of the allocation, as the usage ledger consumer records it.
    seed: async (s: ErasureSubject) => {
      await t.query(
        `INSERT INTO usage_records (usage_id, unit, organisation_id, letting_corporation_id, allocation_id, purpose,
           occurred_at, received_at)
         VALUES ($1, 'DIGID_LOGIN', $2, $2, $3, 'BSN_AND_INCOME_AT_ALLOCATION', $4, $4)`,
        [randomUUID(), s.organisationId, s.allocationId, s.recordedAt],
      );
      return 1;
    },
    remaining: async (s) => {
      const [row] = await t.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM usage_records WHERE allocation_id = $1`,
        [s.allocationId],
      );
      return Number(row?.n);
    },
  });
  for (const c of cases) it(c.name, () => c.run());
});
