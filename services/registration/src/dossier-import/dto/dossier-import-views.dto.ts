import { z } from 'zod';
import type { ImportMode, LoadStatus } from '../dossier-import.entity';

// The responses of /dossier-imports. ImportResult and LoadView (dossier-import.service.ts) are inferred from these
// schemas, so the code cannot return another shape without failing the typecheck.
//
// Not JSON: GET /dossier-imports/concordance and GET /dossier-imports/{loadId}/rejects answer CSV
// (CSV_MEDIA_TYPE, with a header line), and POST /dossier-imports takes the dossier file as a text/csv body.

/** The media type of the CSV downloads (concordance, rejects) and of the import's request body. */
export const CSV_MEDIA_TYPE = 'text/csv';

const modes = ['full', 'delta'] as const satisfies readonly ImportMode[];
const statuses = ['RUNNING', 'COMPLETED', 'FAILED', 'DRY_RUN'] as const satisfies readonly LoadStatus[];
const count = z.number().int().min(0);

/** Counters of one load (LoadCounts of dossier-import.entity.ts). */
export const loadCountsSchema = z.strictObject({
  rowsRead: count,
  rowsRejected: count,
  /** Rejected rows kept with their detail (the first by line, at most 10 000); absent in loads before issue 13. */
  rejectsStored: count.optional(),
  rowsUnchanged: count,
  dossiersNew: count,
  dossiersChanged: count,
  dossiersDeleted: count,
  deletionsOfUnknownDossiers: count,
  registrationsCreated: count,
  registrationsUpdated: count,
  registrationsDeregistered: count,
  /** Dossiers back after their registration ended: each starts a new registration; absent before issue 16. */
  dossiersRevived: count.optional(),
  /** Registrations whose household the load replaced; absent before issue 16. */
  householdsUpdated: count.optional(),
  duplicatesMerged: count,
});

/** The answer of POST /dossier-imports (201): the load that ran and what it did. */
export const importResultSchema = z.strictObject({
  loadId: z.uuid(),
  source: z.string(),
  mode: z.enum(modes),
  /** True for a dry run: the counts of what the load would do; only the load and its rejected rows were stored. */
  dryRun: z.boolean(),
  counts: loadCountsSchema,
  timings: z.strictObject({ readingMs: count, mergingMs: count, totalMs: count }),
});

/** One load (GET /dossier-imports/{loadId}). */
export const loadViewSchema = z.strictObject({
  id: z.uuid(),
  sourceSystem: z.string(),
  mode: z.enum(modes),
  status: z.enum(statuses),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  /** Null while the load runs, and for a load that failed. */
  counts: loadCountsSchema.nullable(),
  /** Why a load failed: an error code, never data from the file. */
  failureCode: z.string().nullable(),
});

export type ImportResult = z.infer<typeof importResultSchema>;
export type LoadView = z.infer<typeof loadViewSchema>;
