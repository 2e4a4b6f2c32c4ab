import { z } from 'zod';
import { SubjectRoleSymbols } from '@divit/contracts';
import { controllersView, purposeSchema } from '../../consent-texts/dto/consent-text.dto';

export const showingChannelSchema = z.enum(['WEB', 'APP', 'PAPER_ASSISTED']);

export const recordShowingSchema = z
  .strictObject({
    textId: z.uuid(),
    registrationId: z.uuid(),
    /** The person's pseudonym: the registration id for the home seeker (default), the allocation member id for a co-resident. */
    subjectId: z.uuid().optional(),
    subjectRole: z.enum(['HOME_SEEKER', 'CO_RESIDENT']),
    allocationId: z.uuid().nullable().optional(),
    channel: showingChannelSchema,
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

/** Proof that a published text version was shown: to whom, when, in which channel, naming which controller. */
export const showingView = z.object({
  showingId: z.uuid(),
  shownAt: z.iso.datetime(),
  textId: z.uuid(),
  textVersionHash: z.string(),
  registrationId: z.uuid(),
  subjectId: z.string(),
  subjectRole: z.enum(SubjectRoleSymbols),
  allocationId: z.uuid().nullable(),
  purpose: purposeSchema,
  channel: showingChannelSchema,
  controller: controllersView,
});
export type ShowingView = z.infer<typeof showingView>;
