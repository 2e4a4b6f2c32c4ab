import { z } from 'zod';

export const recordShowingSchema = z
  .strictObject({
    textId: z.uuid(),
    registrationId: z.uuid(),
    /** The person's pseudonym: the registration id for the home seeker (default), the allocation member id for a co-resident. */
    subjectId: z.uuid().optional(),
    subjectRole: z.enum(['HOME_SEEKER', 'CO_RESIDENT']),
    allocationId: z.uuid().nullable().optional(),
    channel: z.enum(['WEB', 'APP', 'PAPER_ASSISTED']),
  })
  .superRefine((v, ctx) => {
    if (v.subjectRole === 'CO_RESIDENT' && !v.subjectId)
      ctx.addIssue({
        code: 'custom',
        path: ['subjectId'],
        message: 'required for a co-resident (allocation member id)',
      });
  });
export type RecordShowingDto = z.infer<typeof recordShowingSchema>;
