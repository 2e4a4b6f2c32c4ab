import { eraseAccessLog } from '@divit/access-log';
import { EntityManager } from 'typeorm';
import { ConsentErasureCompletedEvent } from '@divit/contracts';
import { ErasureOwnerDefinition, erasedRows, ErasureScope, scopeWhere } from '@divit/service-kit';

/**
 * Consent's data categories for the erasure protocol (ErasureHandler in @divit/service-kit, docs/adr/0019):
 * CONSENT_PROOFS (answers with their receipts, and proofs of showing) and ACCESS_LOGS.
 */
export const consentErasure: ErasureOwnerDefinition = {
  owner: 'CONSENT',
  acknowledgement: ConsentErasureCompletedEvent,
  categories: {
    CONSENT_PROOFS: async (tx, scope) => ({
      consents: await erase(tx, 'consents', 'subject_id', 'answered_at', scope),
      consent_showings: await erase(tx, 'consent_showings', 'subject_id', 'shown_at', scope),
    }),
    // Through the shared access log's erase_access_log_entries() (libs/access-log, ADR 0020). The log records no
    // person below the registration: a subject stands for its registration (the home seeker's subject id).
    ACCESS_LOGS: async (tx, scope) => ({ access_log_entries: await eraseAccessLog(tx, scope) }),
  },
};

function erase(
  tx: EntityManager,
  table: 'consents' | 'consent_showings',
  subjectColumn: string,
  recordedColumn: string,
  scope: ErasureScope,
): Promise<number> {
  const where = scopeWhere(scope, {
    organisation: 'organisation_id = $?',
    registration: 'registration_id = $?',
    subject: `${subjectColumn} = $?`,
    allocation: 'allocation_id = $?',
    recordedBefore: `${recordedColumn} < $?`,
  });
  return erasedRows(tx, `DELETE FROM ${table} WHERE ${where.sql} RETURNING 1`, where.params);
}
