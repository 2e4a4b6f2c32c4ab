import { eraseAccessLog } from '@divit/access-log';
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
    // Through the shared access log's erase_access_log_entries() (libs/access-log, ADR 0020): its entries carry
    // the registration and allocation themselves; a subject stands for its registration.
    ACCESS_LOGS: async (tx, scope) => ({ access_log_entries: await eraseAccessLog(tx, scope) }),
  },
};

function erase(
  tx: EntityManager,
  table: 'bsn_hashes',
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
