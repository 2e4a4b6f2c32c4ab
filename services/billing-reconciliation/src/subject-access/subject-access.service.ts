import { Injectable } from '@nestjs/common';
import {
  accessLogSummaryCategory,
  Principal,
  SUBJECT_ACCESS_ACTION,
  SUBJECT_ACCESS_PURPOSE,
  subjectAccessSection,
  SubjectAccessSection,
  subjectNotFound,
} from '@divit/service-kit';
import { AccessLogEntry, AccessLogService } from '@divit/access-log';
import { SubjectAccessRepository } from './subject-access.repository';

/**
 * Billing-reconciliation's section of a subject-access report (docs/adr/0032). Billing learns allocations without
 * their registration, so the caller names the registration's allocations; each must be known here and be of an
 * organisation the caller acts for (the allocation's organisation or letting corporation; the platform operator
 * any), otherwise 404 without data. With no allocations named, the section says billing holds nothing keyed by
 * the registration.
 */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly repository: SubjectAccessRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  async section(
    principal: Principal,
    registrationId: string,
    allocationIds: string[],
  ): Promise<SubjectAccessSection> {
    const allocations = await this.repository.allocations(allocationIds);
    const own = principal.organisationId.toLowerCase();
    const mine = (a: { organisationId: string; lettingCorporationId: string }) =>
      a.organisationId === own || a.lettingCorporationId === own;
    if (allocations.length !== allocationIds.length || !allocations.every(mine))
      throw subjectNotFound(registrationId);
    const usage = await this.repository.usage(allocationIds);
    // The access-log summary only with allocations the caller may see: the registration id alone proves nothing here.
    const logged: AccessLogEntry[] = [];
    if (allocationIds.length > 0) logged.push(...(await this.accessLog.entriesOf({ registrationId })));
    for (const allocationId of allocationIds)
      logged.push(...(await this.accessLog.entriesOf({ allocationId })));
    await this.accessLog.record({
      principal,
      action: SUBJECT_ACCESS_ACTION,
      resourceType: 'registration',
      resourceId: registrationId,
      organisationId: allocations[0]?.organisationId ?? principal.organisationId,
      registrationId,
      purpose: SUBJECT_ACCESS_PURPOSE,
    });
    return subjectAccessSection('billing-reconciliation', registrationId, [
      {
        category: 'allocations',
        description:
          'The allocations billing learned of (organisation, letting corporation, date), to attribute MijnOverheid costs. Billing keeps no registration id, name or BSN; the allocations are those named in the request.',
        records: allocations.map((a) => ({ ...a })),
      },
      {
        category: 'usage-records',
        description:
          'Pseudonymous usage rows (DigiD login, MijnOverheid sharing) of these allocations, counted for the costs passed on to the corporations.',
        records: usage,
      },
      ...(allocationIds.length > 0
        ? [accessLogSummaryCategory([...new Map(logged.map((e) => [e.id, e])).values()])]
        : []),
    ]);
  }
}
