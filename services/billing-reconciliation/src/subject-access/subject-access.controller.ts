import { Controller } from '@nestjs/common';
import { z } from 'zod';
import {
  CurrentPrincipal,
  Principal,
  subjectAccessParams,
  SubjectAccessRoute,
  SubjectAccessSection,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import { SubjectAccessService } from './subject-access.service';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Billing keeps no registration ids: the registration's allocation ids (from registration's section) name its rows. */
export const subjectAccessQuery = z.strictObject({
  allocationIds: z
    .string()
    .regex(new RegExp(`^${UUID}(,${UUID}){0,49}$`), 'comma-separated allocation ids (at most 50)')
    .optional()
    .describe("The registration's allocation ids, comma-separated (registration's section lists them)."),
});

/** A subject-access request: what billing-reconciliation holds about one registration's allocations. */
@Controller('subject-access')
export class SubjectAccessController {
  constructor(private readonly subjectAccess: SubjectAccessService) {}

  /** Billing's section of the subject-access report (the read is access-logged). */
  @SubjectAccessRoute(
    "Billing's section of the subject-access report: the allocations named and their pseudonymous usage rows (billing holds no registration ids, names or BSNs), access-log summary.",
  )
  section(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(subjectAccessParams) params: { registrationId: string },
    @ZodQuery(subjectAccessQuery) query: z.infer<typeof subjectAccessQuery>,
  ): Promise<SubjectAccessSection> {
    const allocationIds = query.allocationIds
      ? [...new Set(query.allocationIds.toLowerCase().split(','))]
      : [];
    return this.subjectAccess.section(principal, params.registrationId, allocationIds);
  }
}
