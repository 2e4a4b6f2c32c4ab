import { EntityManager } from 'typeorm';
import { IdentityErasureCompletedEvent } from '@divit/contracts';
import { ErasureOwnerDefinition, erasedRows, ErasureScope, scopeWhere } from '@divit/service-kit';

/**
 * Identity-validation's data categories for the erasure protocol (ErasureHandler in @divit/service-kit,
 * docs/adr/0019): HASHED_BSN and ACCESS_LOGS. A subject is a home seeker's registration id (hashes are stored
 * for home seekers only).
 */
export const identityValidationErasure: ErasureOwnerDefinition = {
  owner: 'IDENTITY_VALIDATION',
  acknowledgement: IdentityErasureCompletedEvent,
  categories: {
    HASHED_BSN: async (tx, scope) => ({
      bsn_hashes: await erase(tx, 'bsn_hashes', 'organisation_id', 'created_at', scope),
    }),
    ACCESS_LOGS: async (tx, scope) => ({
      access_log: await erase(tx, 'access_log', 'subject_organisation_id', 'occurred_at', scope),
    }),
  },
};

function erase(
  tx: EntityManager,
  table: 'bsn_hashes' | 'access_log',
  organisationColumn: string,
  recordedColumn: string,
  scope: ErasureScope,
): Promise<number> {
  const where = scopeWhere(scope, {
    organisation: `${organisationColumn}::text = $?`,
    registration: 'registration_id = $?::uuid',
    subject: 'registration_id = $?::uuid',
    allocation: 'registration_id IN (SELECT registration_id FROM allocations WHERE allocation_id = $?::uuid)',
    recordedBefore: `${recordedColumn} < $?`,
  });
  return erasedRows(tx, `DELETE FROM ${table} WHERE ${where.sql} RETURNING 1`, where.params);
}
