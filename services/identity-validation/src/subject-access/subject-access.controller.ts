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

/** A subject-access request: what identity-validation holds about one registration and the persons under it. */
@Controller('subject-access')
export class SubjectAccessController {
  constructor(private readonly subjectAccess: SubjectAccessService) {}

  /** Consent's section of the subject-access report (the read is access-logged). */
  @SubjectAccessRoute(
    "Identity-validation's section of the subject-access report: whether a hashed BSN is stored (key id and dates, never the hash or a BSN), validated identities, sharing sessions, usage, access-log summary.",
  )
  section(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(subjectAccessParams) params: { registrationId: string },
  ): Promise<SubjectAccessSection> {
    return this.subjectAccess.section(principal, params.registrationId);
  }
}
