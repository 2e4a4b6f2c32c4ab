import { Injectable } from '@nestjs/common';
import { Principal, SubjectAccessSection } from '@divit/service-kit';
import { AccessLogService, subjectAccessSectionRead } from '@divit/access-log';
import { SubjectAccessRepository } from './subject-access.repository';

/** Consent's section of a subject-access report (docs/adr/0032). */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly repository: SubjectAccessRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  async section(principal: Principal, registrationId: string): Promise<SubjectAccessSection> {
    return subjectAccessSectionRead({
      service: 'consent',
      accessLog: this.accessLog,
      principal,
      registrationId,
      owners: await this.repository.owners(registrationId),
      categories: () => this.repository.categories(registrationId),
    });
  }
}
