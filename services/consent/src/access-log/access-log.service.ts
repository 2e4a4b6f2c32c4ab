import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '@divit/service-kit';
import { AccessLogEntity } from './access-log.entity';

export type AccessAction =
  | 'CONSENT_READ'
  | 'ALLOCATION_CONSENT_STATUS_READ'
  | 'CONSENT_EVIDENCE_JSON_EXPORTED'
  | 'CONSENT_EVIDENCE_PDF_EXPORTED'
  | 'ACCESS_LOG_READ';

export interface AccessLogRecord {
  occurredAt: string;
  subject: string;
  subjectOrganisationId: string;
  roles: string[];
  action: string;
  organisationId: string | null;
  registrationId: string | null;
  allocationId: string | null;
  purpose: string;
}

/** Records who read or exported which consent data, when and why (ids only). */
@Injectable()
export class AccessLogService {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    principal: Principal,
    action: AccessAction,
    scope: { organisationId: string | null; registrationId?: string | null; allocationId?: string | null },
    purpose: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em.insert(AccessLogEntity, {
      subject: principal.subject,
      subjectOrganisationId: principal.organisationId,
      roles: principal.roles.join(','),
      action,
      organisationId: scope.organisationId,
      registrationId: scope.registrationId ?? null,
      allocationId: scope.allocationId ?? null,
      purpose,
    });
  }

  async forRegistration(registrationId: string): Promise<AccessLogRecord[]> {
    const rows = await this.dataSource.manager.find(AccessLogEntity, {
      where: { registrationId },
      order: { id: 'ASC' },
    });
    return rows.map((r) => ({
      occurredAt: r.occurredAt.toISOString(),
      subject: r.subject,
      subjectOrganisationId: r.subjectOrganisationId,
      roles: r.roles.split(',').filter(Boolean),
      action: r.action,
      organisationId: r.organisationId,
      registrationId: r.registrationId,
      allocationId: r.allocationId,
      purpose: r.purpose,
    }));
  }
}
