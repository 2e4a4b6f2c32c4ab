import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DeletionLogFilter, DeletionLogRecord } from './deletion-log.service';
import type { DeletionLogSummary } from './dto/deletion-log.dto';

/** A deletion-log record as stored (times as dates). */
export type StoredDeletionLogRecord = Omit<
  DeletionLogRecord,
  'recordedBefore' | 'requestedAt' | 'completedAt'
> & {
  recordedBefore: Date | null;
  requestedAt: Date;
  completedAt: Date;
};

/** The append-only deletion log (ADR 0025: the only place that reads deletion_log). */
@Injectable()
export class DeletionLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** In order of recording, at most `limit`; `organisationIds`: only those organisations' records. */
  async records(
    filter: DeletionLogFilter,
    limit: number,
    organisationIds?: string[],
  ): Promise<StoredDeletionLogRecord[]> {
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
    return this.dataSource.query<StoredDeletionLogRecord[]>(
      `SELECT erasure_id AS "erasureId", category, target_service AS "targetService", reason, policy_id AS "policyId",
         subject_pseudonym AS "subjectPseudonym", organisation_id AS "organisationId", allocation_id AS "allocationId",
         recorded_before AS "recordedBefore", requested_at AS "requestedAt", completed_at AS "completedAt",
         erased_count::float8 AS "erasedCount"
       FROM deletion_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id LIMIT $${params.length}`,
      params,
    );
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
