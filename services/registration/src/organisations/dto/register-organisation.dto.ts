import { z } from 'zod';
import { plainText } from '@divit/service-kit';
import { isoDate } from '../../common/calendar-date';

export const registerOrganisationSchema = z.strictObject({
  name: plainText({ min: 2, max: 200 }),
  answers: z.strictObject({
    isHousingCorporation: z.boolean(),
    allocatesAlone: z.boolean(),
    isCollaborationWithAllocationAim: z.boolean(),
    collaborationIsLegalAllocator: z.boolean(),
  }),
  /** Route C only: the member corporation appointed primus inter pares. */
  coordinatorOrganisationId: z.uuid().optional(),
  effectiveFrom: isoDate,
});

export type RegisterOrganisationDto = z.infer<typeof registerOrganisationSchema>;

export const organisationIdParam = z.strictObject({ id: z.uuid() });
