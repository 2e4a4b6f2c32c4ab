import { z } from 'zod';
import { plainText } from '@divit/service-kit';
import { isoDate } from '../../common/calendar-date';

export const registerOrganisationSchema = z.strictObject({
  name: plainText({ min: 2, max: 200 }),
  /** The decision tree's questions (seed 000, "welke route past bij ons?"). */
  answers: z
    .strictObject({
      isHousingCorporation: z.boolean(),
      allocatesAlone: z.boolean(),
      isCollaborationWithAllocationAim: z.boolean(),
      collaborationIsWoonruimteverdeler: z
        .boolean()
        .optional()
        .describe(
          "The tree's own question: is the collaboration a woonruimteverdeler in the sense of the Woningwet? Yes: route B (the collaboration is controller); no: route C (a primus inter pares coordinates). Whether it has legal personality does not decide it.",
        ),
      collaborationIsLegalAllocator: z.boolean().optional().meta({
        deprecated: true,
        description:
          'Deprecated name of `collaborationIsWoonruimteverdeler` (same question, same meaning); still accepted. Give one of the two.',
      }),
    })
    .superRefine((a, ctx) => {
      const named = a.collaborationIsWoonruimteverdeler;
      const old = a.collaborationIsLegalAllocator;
      if (named === undefined && old === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['collaborationIsWoonruimteverdeler'],
          message: 'required: is the collaboration a woonruimteverdeler in the sense of the Woningwet?',
        });
      else if (named !== undefined && old !== undefined && named !== old)
        ctx.addIssue({
          code: 'custom',
          path: ['collaborationIsLegalAllocator'],
          message: 'contradicts collaborationIsWoonruimteverdeler (its deprecated name); give one of the two',
        });
    })
    .transform(({ collaborationIsLegalAllocator, collaborationIsWoonruimteverdeler, ...rest }) => ({
      ...rest,
      collaborationIsWoonruimteverdeler:
        (collaborationIsWoonruimteverdeler ?? collaborationIsLegalAllocator) === true,
    })),
  /** Route C only: the member corporation appointed primus inter pares; it must be one of `memberOrganisationIds`. */
  coordinatorOrganisationId: z.uuid().optional(),
  /**
   * Route B/C only: the founding member corporations, members from `effectiveFrom` (open-ended), recorded with the
   * organisation in one transaction (MembershipStarted each). Route C needs at least the primus inter pares: a
   * collaboration cannot have members before it exists, so its founding members come with its registration
   * (ADR 0035). Later members are enrolled through `POST /organisations/{id}/memberships`.
   */
  memberOrganisationIds: z
    .array(z.uuid())
    .max(200)
    .refine((ids) => new Set(ids).size === ids.length, 'must not name a corporation twice')
    .optional(),
  effectiveFrom: isoDate,
});

export type RegisterOrganisationDto = z.infer<typeof registerOrganisationSchema>;

export const organisationIdParam = z.strictObject({ id: z.uuid() });
