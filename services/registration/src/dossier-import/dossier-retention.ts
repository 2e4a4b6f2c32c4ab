import { EntityManager } from 'typeorm';
import { PermanentHandlerError } from '@divit/messaging';
import {
  ERASURE_ERROR_CODES,
  ErasedRowsByTable,
  erasedRows,
  ErasureScope,
  policyDataset,
  scopeWhere,
} from '@divit/service-kit';

/**
 * The dossier import's datasets within REGISTRATION_DATA (retention-cleanup's dataset policies, docs/adr/0031):
 * - MIGRATED_DOSSIERS: concordance rows (the integrated dossier as last received) whose last change is before the
 *   cut-off (default three years, seed 004), whatever the state of their registration;
 * - IMPORT_REJECTS: the stored rejected rows (raw values of the source file) of loads started before the cut-off;
 *   the load and its counts stay.
 */
export const IMPORT_DATASETS = ['MIGRATED_DOSSIERS', 'IMPORT_REJECTS'] as const;
export type ImportDataset = (typeof IMPORT_DATASETS)[number];

/** The import dataset a REGISTRATION_DATA command's policy id names, null for the category-wide policy. */
export function importDatasetOf(policyId: string, erasureId: string): ImportDataset | null {
  const dataset = policyDataset(policyId);
  if (dataset === null) return null;
  if ((IMPORT_DATASETS as readonly string[]).includes(dataset)) return dataset as ImportDataset;
  // Never fall back to erasing the whole category for a dataset registration does not know.
  throw new PermanentHandlerError(
    ERASURE_ERROR_CODES.ERASURE_CATEGORY_NOT_OWNED,
    `erasure ${erasureId}: registration owns no dataset ${JSON.stringify(dataset.slice(0, 60))} of REGISTRATION_DATA`,
  );
}

export async function eraseImportDataset(
  tx: EntityManager,
  dataset: ImportDataset,
  scope: ErasureScope,
): Promise<ErasedRowsByTable> {
  switch (dataset) {
    case 'MIGRATED_DOSSIERS': {
      // The home seeker's subject id is the registration id; an allocation identifies no concordance row.
      const where = scopeWhere(
        { ...scope, registrationId: scope.registrationId ?? scope.subjectId, subjectId: null },
        {
          organisation: 'organisation_id = $?::uuid',
          registration: 'registration_id = $?::uuid',
          recordedBefore: 'updated_at < $?::timestamptz',
        },
      );
      return {
        dossier_concordance: await erasedRows(
          tx,
          `DELETE FROM dossier_concordance WHERE ${where.sql} RETURNING 1`,
          where.params,
        ),
      };
    }
    case 'IMPORT_REJECTS': {
      // Rejected rows belong to a load, not to a registration or organisation: only a cut-off selects them.
      const where = scopeWhere(scope, {
        recordedBefore: 'load_id IN (SELECT id FROM dossier_import_loads WHERE started_at < $?::timestamptz)',
      });
      return {
        dossier_import_rejects: await erasedRows(
          tx,
          `DELETE FROM dossier_import_rejects WHERE ${where.sql} RETURNING 1`,
          where.params,
        ),
      };
    }
  }
}
