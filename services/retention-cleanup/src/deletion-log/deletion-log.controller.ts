import { Controller, Get, Header, Query } from '@nestjs/common';
import { z } from 'zod';
import { AccessLogService } from '@divit/access-log';
import { DataCategorySymbols, OwningServiceSymbols } from '@divit/contracts';
import { CurrentPrincipal, instant, isPlatformOperator, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { DeletionLogRecord, DeletionLogService, toCsv } from './deletion-log.service';
import { ReaderScope } from '../tenancy/reader-scope';

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

/**
 * The deletion log for auditors: proof of every acknowledged erasure, as JSON or CSV. An organisation's auditor or
 * admin sees its own organisation's records and, as a route B/C coordinator, those of the organisations it
 * coordinates and their current members (ReaderScope, docs/adr/0018); the platform operator every record.
 */
@Controller('deletion-log')
export class DeletionLogController {
  constructor(
    private readonly log: DeletionLogService,
    private readonly accessLog: AccessLogService,
    private readonly readers: ReaderScope,
  ) {}

  /** The deletion log as JSON (oldest first, at most 100 000 rows per request; narrow with from/to). */
  @Get()
  @Roles('auditor', 'admin', 'platform-operator')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(deletionLogQuery)) query: DeletionLogQuery,
  ): Promise<{ count: number; records: DeletionLogRecord[] }> {
    const records = await this.log.records(query, undefined, await this.readers.organisations(principal));
    await this.recordRead(principal, 'DELETION_LOG_READ', query);
    return { count: records.length, records };
  }

  /** The same rows as CSV (header line first). */
  @Get('export.csv')
  @Roles('auditor', 'admin', 'platform-operator')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="deletion-log.csv"')
  async csv(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(deletionLogQuery)) query: DeletionLogQuery,
  ): Promise<string> {
    const csv = toCsv(await this.log.records(query, undefined, await this.readers.organisations(principal)));
    await this.recordRead(principal, 'DELETION_LOG_EXPORTED', query);
    return csv;
  }

  /** Erasures and erased records per category and owning service (aggregates that survive erasure). */
  @Get('summary')
  @Roles('auditor', 'admin', 'platform-operator')
  async summary(
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ category: string; targetService: string; erasures: number; erasedRecords: number }[]> {
    return this.log.summary(await this.readers.organisations(principal));
  }

  /** Reads of the deletion log (subject pseudonyms) are access-logged (ADR 0020); a subject filter is the resource. */
  private recordRead(principal: Principal, action: string, query: DeletionLogQuery): Promise<void> {
    return this.accessLog.record({
      principal,
      action,
      resourceType: query.subjectPseudonym ? 'subject' : 'deletion-log',
      resourceId: query.subjectPseudonym ?? null,
      organisationId: ownOrganisation(principal) ?? null,
      purpose: 'AUDIT',
    });
  }
}

/** The organisation an access-log entry of a read is about: the caller's own (none for the platform operator). */
const ownOrganisation = (principal: Principal): string | undefined =>
  isPlatformOperator(principal) ? undefined : principal.organisationId;
