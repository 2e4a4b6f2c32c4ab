import { z } from 'zod';
import { DataCategorySymbols, ErasureReasonSymbols, OwningServiceSymbols } from '@divit/contracts';
import { TRIGGERS } from '../../policies/policy';

export const erasuresQuery = z.strictObject({
  registrationId: z.uuid().optional(),
  status: z.enum(['SCHEDULED', 'ISSUED', 'COMPLETED']).optional(),
});
export type ErasuresQuery = z.infer<typeof erasuresQuery>;

/** One scheduled, issued or completed erasure. */
export const erasureView = z.object({
  erasureId: z.uuid(),
  category: z.enum(DataCategorySymbols),
  targetService: z.enum(OwningServiceSymbols),
  reason: z.enum(ErasureReasonSymbols),
  trigger: z.enum(TRIGGERS),
  policyId: z.string(),
  organisationId: z.string().nullable(),
  registrationId: z.uuid().nullable(),
  subjectId: z.string().nullable(),
  allocationId: z.string().nullable(),
  recordedBefore: z.iso.datetime().nullable(),
  triggerAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  status: z.enum(['SCHEDULED', 'ISSUED', 'COMPLETED']),
  /** Whether a legal hold keeps it back (overdue and list views that computed it). */
  held: z.boolean().optional(),
  firstSentAt: z.iso.datetime().nullable(),
  lastSentAt: z.iso.datetime().nullable(),
  sendCount: z.number().int(),
  completedAt: z.iso.datetime().nullable(),
  erasedCount: z.number().int().nullable(),
});
export type ErasureView = z.infer<typeof erasureView>;

export const overdueErasuresView = z.object({
  thresholdSeconds: z.number().int(),
  count: z.number().int(),
  erasures: z.array(erasureView),
});
export type OverdueErasuresView = z.infer<typeof overdueErasuresView>;

/** An erasure command sent (or re-sent) to its owning service. */
export const issuedErasureView = z.object({
  erasureId: z.uuid(),
  category: z.enum(DataCategorySymbols),
  targetService: z.enum(OwningServiceSymbols),
  reason: z.string(),
  policyId: z.string(),
  registrationId: z.uuid().nullable(),
  subjectId: z.string().nullable(),
  recordedBefore: z.iso.datetime().nullable(),
  sendCount: z.number().int(),
});
export type IssuedErasure = z.infer<typeof issuedErasureView>;

export const sweepResultView = z.object({
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /** Age-based erasures created by this sweep (one per category, owning service and policy). */
  ageErasuresScheduled: z.number().int(),
  /** Commands sent for the first time. */
  issuedCount: z.number().int(),
  /** Commands sent again because their acknowledgement is late. */
  resentCount: z.number().int(),
  /** Due erasures not issued because a legal hold covers them. */
  heldCount: z.number().int(),
  /** The commands of this sweep (first 1000; the counts above are complete). */
  issued: z.array(issuedErasureView),
  resent: z.array(issuedErasureView),
});
export type SweepResult = z.infer<typeof sweepResultView>;
