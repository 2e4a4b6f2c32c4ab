import { Injectable } from '@nestjs/common';
import { Principal, SubjectAccessSection } from '@divit/service-kit';
import { AccessLogService, subjectAccessSectionRead } from '@divit/access-log';
import { ReaderScope } from '../tenancy/reader-scope';
import { SubjectAccessRepository } from './subject-access.repository';

/**
 * Retention-cleanup's section of a subject-access report (docs/adr/0032). Scoped like its other reads
 * (ReaderScope): the organisation, a route B/C coordinator of it today, or the platform operator; anyone else 404.
 */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly repository: SubjectAccessRepository,
    private readonly readers: ReaderScope,
    private readonly accessLog: AccessLogService,
  ) {}

  async section(principal: Principal, registrationId: string): Promise<SubjectAccessSection> {
    return subjectAccessSectionRead({
      service: 'retention-cleanup',
      accessLog: this.accessLog,
      principal,
      registrationId,
      owners: await this.repository.owners(registrationId),
      alsoVisible: (await this.readers.organisations(principal)) ?? [],
      categories: () => this.repository.categories(registrationId),
    });
  }
}
