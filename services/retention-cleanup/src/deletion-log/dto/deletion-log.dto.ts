import { z } from 'zod';
import { DataCategorySymbols, ErasureReasonSymbols, OwningServiceSymbols } from '@divit/contracts';
import { instant } from '@divit/service-kit';

export const deletionLogQuery = z.strictObject({
  category: z.enum(DataCategorySymbols).optional(),
  targetService: z.enum(OwningServiceSymbols).optional(),
  subjectPseudonym: z.uuid().optional(),
  /** Completed at or after (ISO-8601 instant). */
  from: instant().optional(),
  /** Completed before (ISO-8601 instant). */
  to: instant().optional(),
});
export type DeletionLogQuery = z.infer<typeof deletionLogQuery>;

/** Proof of one acknowledged erasure (no personal data: the subject is a pseudonym). */
export const deletionLogRecordView = z.object({
  erasureId: z.uuid(),
  category: z.enum(DataCategorySymbols),
  targetService: z.enum(OwningServiceSymbols),
  reason: z.enum(ErasureReasonSymbols),
  policyId: z.string(),
  subjectPseudonym: z.string().nullable(),
  organisationId: z.string().nullable(),
  allocationId: z.string().nullable(),
  recordedBefore: z.iso.datetime().nullable(),
  requestedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
  erasedCount: z.number().int(),
});
export type DeletionLogRecord = z.infer<typeof deletionLogRecordView>;

export const deletionLogView = z.object({
  count: z.number().int(),
  records: z.array(deletionLogRecordView),
});
export type DeletionLogView = z.infer<typeof deletionLogView>;

/** Erasures and erased records per category and owning service (aggregates that survive erasure). */
export const deletionLogSummaryView = z.array(
  z.object({
    category: z.enum(DataCategorySymbols),
    targetService: z.enum(OwningServiceSymbols),
    erasures: z.number().int(),
    erasedRecords: z.number().int(),
  }),
);
export type DeletionLogSummary = z.infer<typeof deletionLogSummaryView>;
