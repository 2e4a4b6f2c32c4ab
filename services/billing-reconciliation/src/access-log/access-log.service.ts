import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@divit/service-kit';

export type AccessAction =
  | 'STATEMENT_CSV_EXPORTED'
  | 'STATEMENT_PDF_EXPORTED'
  | 'OVERVIEW_PDF_EXPORTED'
  | 'DISCREPANCIES_EXPORTED'
  | 'RECONCILIATION_READ'
  | 'INVOICES_IMPORTED';

/** Append-only log of every report export and read (ids only, no personal data). */
@Injectable()
export class AccessLogService {
  constructor(private readonly dataSource: DataSource) {}

  async record(principal: Principal, action: AccessAction, resourceId: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO access_log (subject, subject_organisation_id, roles, action, resource_id) VALUES ($1, $2, $3, $4, $5)`,
      [principal.subject, principal.organisationId, principal.roles.join(','), action, resourceId],
    );
  }

  /** Newest first; `organisationId`: only entries of callers acting for that organisation. */
  async list(
    limit = 500,
    organisationId?: string,
  ): Promise<
    {
      occurredAt: string;
      subject: string;
      subjectOrganisationId: string;
      roles: string[];
      action: string;
      resourceId: string | null;
    }[]
  > {
    const rows = await this.dataSource.query<
      {
        occurred_at: Date;
        subject: string;
        subject_organisation_id: string;
        roles: string;
        action: string;
        resource_id: string | null;
      }[]
    >(
      `SELECT occurred_at, subject, subject_organisation_id, roles, action, resource_id FROM access_log
        WHERE ($2::text IS NULL OR subject_organisation_id = $2) ORDER BY id DESC LIMIT $1`,
      [limit, organisationId ?? null],
    );
    return rows.map((r) => ({
      occurredAt: r.occurred_at.toISOString(),
      subject: r.subject,
      subjectOrganisationId: r.subject_organisation_id,
      roles: r.roles.split(',').filter(Boolean),
      action: r.action,
      resourceId: r.resource_id,
    }));
  }
}
