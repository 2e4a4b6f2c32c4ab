import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '@divit/service-kit';
import { AccessLogEntity } from './access-log.entity';

export type AccessAction = 'STATEMENT_READ' | 'STATEMENT_PDF_EXPORTED' | 'ALLOCATION_STATUS_READ';

export interface AccessLogRecord {
  occurredAt: string;
  subject: string;
  subjectOrganisationId: string;
  roles: string[];
  action: string;
  allocationId: string | null;
  purpose: string;
}

/** Records who read which allocation's data, when and why (ids only). Append-only (trigger). */
@Injectable()
export class AccessLogService {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    principal: Principal,
    action: AccessAction,
    allocationId: string,
    purpose: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em.insert(AccessLogEntity, {
      subject: principal.subject,
      subjectOrganisationId: principal.organisationId,
      roles: principal.roles.join(','),
      action,
      allocationId,
      purpose,
    });
  }

  async forAllocation(allocationId: string): Promise<AccessLogRecord[]> {
    const rows = await this.dataSource.manager.find(AccessLogEntity, {
      where: { allocationId },
      order: { id: 'ASC' },
    });
    return rows.map((r) => ({
      occurredAt: r.occurredAt.toISOString(),
      subject: r.subject,
      subjectOrganisationId: r.subjectOrganisationId,
      roles: r.roles.split(',').filter(Boolean),
      action: r.action,
      allocationId: r.allocationId,
      purpose: r.purpose,
    }));
  }
}
