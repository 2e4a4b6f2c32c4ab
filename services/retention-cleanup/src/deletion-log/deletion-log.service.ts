import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { csvText } from '@divit/service-kit';
import type { DeletionLogRecord, DeletionLogSummary } from './dto/deletion-log.dto';

export type { DeletionLogRecord, DeletionLogSummary };

export interface DeletionLogFilter {
  category?: string;
  targetService?: string;
  subjectPseudonym?: string;
  from?: string;
  to?: string;
}

export const DELETION_LOG_COLUMNS: (keyof DeletionLogRecord)[] = [
  'erasureId',
  'category',
  'targetService',
  'reason',
  'policyId',
  'subjectPseudonym',
  'organisationId',
  'allocationId',
  'recordedBefore',
  'requestedAt',
  'completedAt',
  'erasedCount',
];

/** Reads the append-only deletion log (proof of erasure; pseudonymous ids, counts and times only). */
@Injectable()
export class DeletionLogService {
  constructor(private readonly dataSource: DataSource) {}

  /** `organisationIds`: only those organisations' records (an organisation's auditor or admin, a coordinator's). */
  async records(
    filter: DeletionLogFilter,
    limit = 100_000,
    organisationIds?: string[],
  ): Promise<DeletionLogRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (organisationIds !== undefined) add('organisation_id = ANY(?::uuid[])', organisationIds);
    if (filter.category) add('category = ?', filter.category);
    if (filter.targetService) add('target_service = ?', filter.targetService);
    if (filter.subjectPseudonym) add('subject_pseudonym = ?::uuid', filter.subjectPseudonym);
    if (filter.from) add('completed_at >= ?::timestamptz', filter.from);
    if (filter.to) add('completed_at < ?::timestamptz', filter.to);
    params.push(limit);
    const rows = await this.dataSource.query<
      (Omit<DeletionLogRecord, 'recordedBefore' | 'requestedAt' | 'completedAt'> & {
        recordedBefore: Date | null;
        requestedAt: Date;
        completedAt: Date;
      })[]
    >(
      `SELECT erasure_id AS "erasureId", category, target_service AS "targetService", reason, policy_id AS "policyId",
         subject_pseudonym AS "subjectPseudonym", organisation_id AS "organisationId", allocation_id AS "allocationId",
         recorded_before AS "recordedBefore", requested_at AS "requestedAt", completed_at AS "completedAt",
         erased_count::float8 AS "erasedCount"
       FROM deletion_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      ...r,
      recordedBefore: r.recordedBefore ? r.recordedBefore.toISOString() : null,
      requestedAt: r.requestedAt.toISOString(),
      completedAt: r.completedAt.toISOString(),
    }));
  }

  /** Totals per category and owning service: what billing and statistics may keep after the erasures. */
  async summary(organisationIds?: string[]): Promise<DeletionLogSummary> {
    return this.dataSource.query(
      `SELECT category, target_service AS "targetService", count(*)::int AS erasures,
         sum(erased_count)::float8 AS "erasedRecords"
       FROM deletion_log WHERE ($1::uuid[] IS NULL OR organisation_id = ANY($1::uuid[]))
       GROUP BY category, target_service ORDER BY category, target_service`,
      [organisationIds ?? null],
    );
  }
}

/** RFC 4180 CSV (CRLF) through the platform's CSV writer (csv-stringify, formula-injection escaping). */
export function toCsv(records: readonly DeletionLogRecord[]): string {
  return csvText([DELETION_LOG_COLUMNS, ...records.map((r) => DELETION_LOG_COLUMNS.map((c) => r[c]))], {
    recordDelimiter: '\r\n',
  });
}
