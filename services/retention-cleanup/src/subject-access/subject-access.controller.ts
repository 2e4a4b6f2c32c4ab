import { Controller, Get } from '@nestjs/common';
import {
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  Principal,
  Roles,
  subjectAccessParams,
  subjectAccessSectionView,
  SubjectAccessSection,
  ZodParams,
} from '@divit/service-kit';
import { SubjectAccessService } from './subject-access.service';

/** A subject-access request: what retention-cleanup holds about one registration and the persons under it. */
@Controller('subject-access')
export class SubjectAccessController {
  constructor(private readonly subjectAccess: SubjectAccessService) {}

  /** Consent's section of the subject-access report (the read is access-logged). */
  @Get(':registrationId')
  @Roles('admin', 'auditor')
  @ApiResult(subjectAccessSectionView, {
    description:
      "Retention-cleanup's section of the subject-access report: scheduled erasures, deletion-log entries, legal holds, access-log summary.",
  })
  @ApiProblems('SUBJECT_ACCESS_NOT_FOUND')
  section(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(subjectAccessParams) params: { registrationId: string },
  ): Promise<SubjectAccessSection> {
    return this.subjectAccess.section(principal, params.registrationId);
  }
}
