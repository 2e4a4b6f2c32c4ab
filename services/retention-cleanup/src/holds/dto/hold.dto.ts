import { z } from 'zod';
import { DataCategorySymbols } from '@divit/contracts';
import { instant, plainText } from '@divit/service-kit';
import { issuedErasureView } from '../../erasures/dto/erasure.dto';

const text = (max: number) => plainText({ max });

export const createHoldSchema = z
  .strictObject({
    /** Registration id (home seeker) or member id (co-resident) whose data must not be erased. */
    subjectId: z.uuid().optional(),
    /** A category that must not be erased (for everyone, or for `organisationId`). */
    category: z.enum(DataCategorySymbols).optional(),
    organisationId: z.uuid().optional(),
    reason: text(500),
    /** Who answers for the hold, e.g. "legal: case 2025-031". */
    owner: text(200),
    /** ISO-8601 instant after which the hold no longer applies; omit for until lifted. */
    expiresAt: instant().optional(),
  })
  .refine((h) => h.subjectId !== undefined || h.category !== undefined, {
    message: 'give subjectId, category or both',
    path: ['subjectId'],
  });
export type CreateHoldDto = z.infer<typeof createHoldSchema>;

export const liftHoldSchema = z.strictObject({ reason: text(500) });
export type LiftHoldDto = z.infer<typeof liftHoldSchema>;

export const holdIdParam = z.strictObject({ id: z.uuid() });

/** A legal hold: while active, the erasures it covers stay due but are not issued. */
export const holdView = z.object({
  id: z.uuid(),
  subjectId: z.string().nullable(),
  category: z.enum(DataCategorySymbols).nullable(),
  organisationId: z.string().nullable(),
  reason: z.string(),
  owner: z.string(),
  expiresAt: z.iso.datetime().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  liftedBy: z.string().nullable(),
  liftedAt: z.iso.datetime().nullable(),
  liftReason: z.string().nullable(),
  active: z.boolean(),
});
export type HoldView = z.infer<typeof holdView>;

/** The lifted hold and the erasures it kept back, issued at once. */
export const liftedHoldView = holdView.extend({ released: z.array(issuedErasureView) });
export type LiftedHoldView = z.infer<typeof liftedHoldView>;

/** One entry of the append-only audit of creating and lifting holds. */
export const holdAuditView = z.object({
  holdId: z.uuid(),
  action: z.enum(['CREATED', 'LIFTED']),
  actor: z.string(),
  reason: z.string(),
  occurredAt: z.iso.datetime(),
});
export type HoldAuditView = z.infer<typeof holdAuditView>;
