import { Controller } from '@nestjs/common';
import {
  CurrentPrincipal,
  Principal,
  subjectAccessParams,
  SubjectAccessRoute,
  SubjectAccessSection,
  ZodParams,
} from '@divit/service-kit';
import { SubjectAccessService } from './subject-access.service';

/** A subject-access request: what registration holds about one registration and the persons under it. */
@Controller('subject-access')
export class SubjectAccessController {
  constructor(private readonly subjectAccess: SubjectAccessService) {}

  /** Consent's section of the subject-access report (the read is access-logged). */
  @SubjectAccessRoute(
    "Registration's section of the subject-access report: the registration, household, allocations and their members, dossier-import concordance rows, access-log summary.",
  )
  section(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(subjectAccessParams) params: { registrationId: string },
  ): Promise<SubjectAccessSection> {
    return this.subjectAccess.section(principal, params.registrationId);
  }
}
