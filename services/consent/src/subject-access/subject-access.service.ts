import { Injectable } from '@nestjs/common';
import {
  accessLogSummaryCategory,
  assertSubjectAccess,
  Principal,
  SUBJECT_ACCESS_ACTION,
  SUBJECT_ACCESS_PURPOSE,
  subjectAccessSection,
  SubjectAccessSection,
} from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { SubjectAccessRepository } from './subject-access.repository';

/** Consent's section of a subject-access report (docs/adr/0032). */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly repository: SubjectAccessRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  async section(principal: Principal, registrationId: string): Promise<SubjectAccessSection> {
    const owners = await this.repository.owners(registrationId);
    assertSubjectAccess(principal, registrationId, owners);
    const categories = await this.repository.categories(registrationId);
    const logged = await this.accessLog.entriesOf({ registrationId });
    await this.accessLog.record({
      principal,
      action: SUBJECT_ACCESS_ACTION,
      resourceType: 'registration',
      resourceId: registrationId,
      organisationId: owners[0] ?? principal.organisationId,
      registrationId,
      purpose: SUBJECT_ACCESS_PURPOSE,
    });
    return subjectAccessSection('consent', registrationId, [...categories, accessLogSummaryCategory(logged)]);
  }
}
