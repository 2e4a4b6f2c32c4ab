import { eraseAccessLog } from '@divit/access-log';
import { EntityManager } from 'typeorm';
import { ErasureRequested, RegistrationErasureCompletedEvent } from '@divit/contracts';
import { ErasureOwnerDefinition, erasedRows, ErasureScope, scopeWhere } from '@divit/service-kit';
import { eraseImportDataset, importDatasetOf } from '../dossier-import/dossier-retention';

/** Registration's own consumer group for the erasure commands (ErasureModule's consumer). */
export const ERASURE_CONSUMER_GROUP = 'registration-erasure';

/**
 * Registration's data categories for the erasure protocol (ErasureHandler in @divit/service-kit, docs/adr/0019):
 * - IDENTIFYING_DATA_FOR_CHECK: clears gender marker, postcode and house number (+ addition);
 * - REGISTRATION_DATA: a deregistered registration, its household and its allocations (with the co-residents'
 *   stated identities) are deleted; a pseudonymous tombstone stays. Its concordance rows are not: the migration
 *   keeps integrated dossiers three years (seed 004), so they go only by the MIGRATED_DOSSIERS dataset policy, and
 *   the dossier import's rejected rows by IMPORT_REJECTS (a command whose policy id names the dataset,
 *   docs/adr/0031; dossier-import/dossier-retention.ts);
 * - ACCESS_LOGS: rows recorded before the cut-off (and/or of one registration) go through the shared access log's
 *   erase_access_log_entries() (libs/access-log, ADR 0020), the only way rows leave it.
 * Registration's data is the home seeker's registration: a command's registration id, else its subject (the
 * home seeker's subject id is the registration id), limits it; a co-resident's withdrawal or failure names the
 * registration too and erases the registration's check data, as before the library.
 */
export const registrationErasure: ErasureOwnerDefinition = {
  owner: 'REGISTRATION',
  acknowledgement: RegistrationErasureCompletedEvent,
  categories: {
    IDENTIFYING_DATA_FOR_CHECK: async (tx, scope) => {
      const where = registrationWhere(scope, 'created_at');
      return {
        registrations: await erasedRows(
          tx,
          `UPDATE registrations SET gender_marker = NULL, postcode = NULL, house_number = NULL,
             house_number_addition = NULL, updated_at = now(), version = version + 1
           WHERE ${where.sql}
             AND (gender_marker IS NOT NULL OR postcode IS NOT NULL OR house_number IS NOT NULL OR house_number_addition IS NOT NULL)
           RETURNING 1`,
          where.params,
        ),
      };
    },
    REGISTRATION_DATA: (tx, scope, command) => {
      const dataset = importDatasetOf(command.policyId, command.erasureId);
      return dataset === null
        ? eraseRegistrations(tx, scope, command)
        : eraseImportDataset(tx, dataset, scope);
    },
    ACCESS_LOGS: async (tx, scope) => {
      const registrationId = scope.registrationId ?? scope.subjectId;
      // The log is limited by a registration and/or a cut-off only; an allocation alone identifies none of it.
      if (!registrationId && !scope.recordedBefore) return { access_log_entries: 0 };
      return {
        access_log_entries: await eraseAccessLog(tx, {
          recordedBefore: scope.recordedBefore,
          registrationId,
          organisationId: scope.organisationId,
        }),
      };
    },
  },
};

/**
 * The registrations of a scope: the registration (else the subject); the allocation only when neither is given
 * (a registration's data is not per allocation: a withdrawal in an allocation erases the registration's check data).
 */
function registrationWhere(scope: ErasureScope, recordedColumn: string) {
  const registrationId = scope.registrationId ?? scope.subjectId;
  return scopeWhere(
    { ...scope, registrationId, subjectId: null, allocationId: registrationId ? null : scope.allocationId },
    {
      organisation: 'organisation_id = $?::uuid',
      registration: 'id = $?::uuid',
      allocation: 'id IN (SELECT registration_id FROM allocations WHERE id = $?::uuid)',
      recordedBefore: `${recordedColumn} < $?::timestamptz`,
    },
  );
}

/** Deregistered registrations only: an active one is never erased by retention (count 0). */
async function eraseRegistrations(
  tx: EntityManager,
  scope: ErasureScope,
  command: ErasureRequested,
): Promise<Record<string, number>> {
  const where = registrationWhere(scope, 'deregistered_at');
  const doomed = await tx.query<{ id: string }[]>(
    `SELECT id FROM registrations WHERE status = 'DEREGISTERED' AND ${where.sql} FOR UPDATE`,
    where.params,
  );
  if (doomed.length === 0) return {};
  const ids = doomed.map((d) => d.id);
  await tx.query(
    `INSERT INTO erased_registrations (registration_id, organisation_id, registration_date, deregistered_at, erasure_id)
     SELECT id, organisation_id, registration_date, deregistered_at, $2 FROM registrations WHERE id = ANY($1::uuid[])
     ON CONFLICT (registration_id) DO NOTHING`,
    [ids, command.erasureId],
  );
  const del = (sql: string) => erasedRows(tx, sql, [ids]);
  return {
    allocation_members: await del(
      `DELETE FROM allocation_members WHERE allocation_id IN (SELECT id FROM allocations WHERE registration_id = ANY($1::uuid[])) RETURNING 1`,
    ),
    allocations: await del(`DELETE FROM allocations WHERE registration_id = ANY($1::uuid[]) RETURNING 1`),
    household_members: await del(
      `DELETE FROM household_members WHERE registration_id = ANY($1::uuid[]) RETURNING 1`,
    ),
    registrations: await del(`DELETE FROM registrations WHERE id = ANY($1::uuid[]) RETURNING 1`),
  };
}
