import { Injectable } from '@nestjs/common';
import {
  accessLogSummaryCategory,
  assertSubjectAccess,
  isPlatformOperator,
  Principal,
  SUBJECT_ACCESS_ACTION,
  SUBJECT_ACCESS_PURPOSE,
  subjectAccessSection,
  SubjectAccessSection,
} from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { todayInAmsterdam } from '../common/calendar-date';
import { OrganisationScopeService } from '../organisations/organisation-scope.service';
import { SubjectAccessRepository } from './subject-access.repository';

/**
 * Registration's section of a subject-access report (docs/adr/0032). Scoped like the registration's other
 * routes: its organisation, a route B/C coordinator of it today, or the platform operator; anyone else 404.
 */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly repository: SubjectAccessRepository,
    private readonly scope: OrganisationScopeService,
    private readonly accessLog: AccessLogService,
  ) {}

  async section(principal: Principal, registrationId: string): Promise<SubjectAccessSection> {
    const owners = await this.repository.owners(registrationId);
    const visible = isPlatformOperator(principal)
      ? []
      : await this.scope.visibleOrganisationIds(principal, todayInAmsterdam());
    assertSubjectAccess(principal, registrationId, owners, visible);
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
    return subjectAccessSection('registration', registrationId, [
      ...categories,
      accessLogSummaryCategory(logged),
    ]);
  }
}
