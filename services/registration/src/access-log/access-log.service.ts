import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '@divit/service-kit';
import { AccessLogEntity } from './access-log.entity';

export type AccessAction =
  | 'REGISTRATION_READ'
  | 'REGISTRATION_UPDATED'
  | 'REGISTRATION_CREATED'
  | 'REGISTRATION_DEREGISTERED'
  | 'ALLOCATION_RECORDED'
  | 'ALLOCATION_READ'
  | 'ALLOCATION_CLOSED'
  | 'DOSSIER_IMPORT'
  | 'DOSSIER_CONCORDANCE_EXPORTED'
  | 'DOSSIER_REJECTS_EXPORTED';

export interface AccessLogRecord {
  occurredAt: string;
  subject: string;
  subjectOrganisationId: string;
  roles: string[];
  action: string;
  registrationId: string | null;
  purpose: string;
}

/** Records who touched which registration, when and why (ids only). */
@Injectable()
export class AccessLogService {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    principal: Principal,
    action: AccessAction,
    /** null for bulk operations (imports, exports). */
    registrationId: string | null,
    purpose: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em.insert(AccessLogEntity, {
      subject: principal.subject,
      subjectOrganisationId: principal.organisationId,
      roles: principal.roles.join(','),
      action,
      registrationId,
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
      registrationId: r.registrationId,
      purpose: r.purpose,
    }));
  }
}
