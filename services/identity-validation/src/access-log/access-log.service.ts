import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '@divit/service-kit';
import { AccessLogEntity } from '../database/entities';

export type AccessAction = 'VALIDATED_IDENTITY_READ' | 'IDENTITY_CONFIRMED' | 'IDENTITY_DISPUTED';

/** Append-only record of who read the validated identity of which registration, when (ids only). */
@Injectable()
export class AccessLogService {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    principal: Principal,
    action: AccessAction,
    registrationId: string,
    sessionId: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await em.insert(AccessLogEntity, {
      subject: principal.subject,
      subjectOrganisationId: principal.organisationId,
      roles: principal.roles.join(','),
      action,
      registrationId,
      sessionId,
    });
  }
}
