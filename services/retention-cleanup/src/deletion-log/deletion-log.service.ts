import { Injectable } from '@nestjs/common';
import { csvText } from '@divit/service-kit';
import { DeletionLogRepository } from './deletion-log.repository';
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
  constructor(private readonly repository: DeletionLogRepository) {}

  /** `organisationIds`: only those organisations' records (an organisation's auditor or admin, a coordinator's). */
  async records(
    filter: DeletionLogFilter,
    limit = 100_000,
    organisationIds?: string[],
  ): Promise<DeletionLogRecord[]> {
    const rows = await this.repository.records(filter, limit, organisationIds);
    return rows.map((r) => ({
      ...r,
      recordedBefore: r.recordedBefore ? r.recordedBefore.toISOString() : null,
      requestedAt: r.requestedAt.toISOString(),
      completedAt: r.completedAt.toISOString(),
    }));
  }

  /** Totals per category and owning service: what billing and statistics may keep after the erasures. */
  summary(organisationIds?: string[]): Promise<DeletionLogSummary> {
    return this.repository.summary(organisationIds);
  }
}

/** RFC 4180 CSV (CRLF) through the platform's CSV writer (csv-stringify, formula-injection escaping). */
export function toCsv(records: readonly DeletionLogRecord[]): string {
  return csvText([DELETION_LOG_COLUMNS, ...records.map((r) => DELETION_LOG_COLUMNS.map((c) => r[c]))], {
    recordDelimiter: '\r\n',
  });
}
