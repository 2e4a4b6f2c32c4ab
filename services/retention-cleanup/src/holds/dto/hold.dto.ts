import { z } from 'zod';
import { DataCategorySymbols } from '@divit/contracts';
import { instant, plainText } from '@divit/service-kit';

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
