import { Controller, Get, Header, Query } from '@nestjs/common';
import { z } from 'zod';
import { DataCategorySymbols, OwningServiceSymbols } from '@divit/contracts';
import { instant, Roles, ZodValidationPipe } from '@divit/service-kit';
import { DeletionLogRecord, DeletionLogService, toCsv } from './deletion-log.service';

export const deletionLogQuery = z.strictObject({
  category: z.enum(DataCategorySymbols).optional(),
  targetService: z.enum(OwningServiceSymbols).optional(),
  subjectPseudonym: z.uuid().optional(),
  /** Completed at or after (ISO-8601 instant). */
  from: instant().optional(),
  /** Completed before (ISO-8601 instant). */
  to: instant().optional(),
});
type DeletionLogQuery = z.infer<typeof deletionLogQuery>;

/** The deletion log for auditors: proof of every acknowledged erasure, as JSON or CSV. */
@Controller('deletion-log')
export class DeletionLogController {
  constructor(private readonly log: DeletionLogService) {}

  /** The deletion log as JSON (oldest first, at most 100 000 rows per request; narrow with from/to). */
  @Get()
  @Roles('auditor', 'admin')
  async list(
    @Query(new ZodValidationPipe(deletionLogQuery)) query: DeletionLogQuery,
  ): Promise<{ count: number; records: DeletionLogRecord[] }> {
    const records = await this.log.records(query);
    return { count: records.length, records };
  }

  /** The same rows as CSV (header line first). */
  @Get('export.csv')
  @Roles('auditor', 'admin')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="deletion-log.csv"')
  async csv(@Query(new ZodValidationPipe(deletionLogQuery)) query: DeletionLogQuery): Promise<string> {
    return toCsv(await this.log.records(query));
  }

  /** Erasures and erased records per category and owning service (aggregates that survive erasure). */
  @Get('summary')
  @Roles('auditor', 'admin')
  summary(): Promise<{ category: string; targetService: string; erasures: number; erasedRecords: number }[]> {
    return this.log.summary();
  }
}
