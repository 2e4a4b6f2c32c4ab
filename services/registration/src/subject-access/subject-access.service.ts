import { Injectable } from '@nestjs/common';
import { Principal, SubjectAccessSection } from '@divit/service-kit';
import { AccessLogService, subjectAccessSectionRead } from '@divit/access-log';
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
    return subjectAccessSectionRead({
      service: 'registration',
      accessLog: this.accessLog,
      principal,
      registrationId,
      owners: await this.repository.owners(registrationId),
      alsoVisible: await this.scope.visibleOrganisationIds(principal, todayInAmsterdam()),
      categories: () => this.repository.categories(registrationId),
    });
  }
}
