import { Controller, Get, Header } from '@nestjs/common';
import { AccessLogService } from '@divit/access-log';
import {
  ApiFileResult,
  ApiResult,
  CurrentPrincipal,
  isPlatformOperator,
  Roles,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { DeletionLogService, toCsv } from './deletion-log.service';
import {
  DeletionLogQuery,
  deletionLogQuery,
  DeletionLogSummary,
  deletionLogSummaryView,
  DeletionLogView,
  deletionLogView,
} from './dto/deletion-log.dto';
import { ReaderScope } from '../tenancy/reader-scope';

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
  @ApiResult(deletionLogView, { description: 'The records, oldest first (the read is access-logged).' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(deletionLogQuery) query: DeletionLogQuery,
  ): Promise<DeletionLogView> {
    const records = await this.log.records(query, undefined, await this.readers.organisations(principal));
    await this.recordRead(principal, 'DELETION_LOG_READ', query);
    return { count: records.length, records };
  }

  /** The same rows as CSV (header line first). */
  @Get('export.csv')
  @Roles('auditor', 'admin', 'platform-operator')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="deletion-log.csv"')
  @ApiFileResult('text/csv', {
    description: 'The deletion log as CSV (header line first; the export is access-logged).',
  })
  async csv(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(deletionLogQuery) query: DeletionLogQuery,
  ): Promise<string> {
    const csv = toCsv(await this.log.records(query, undefined, await this.readers.organisations(principal)));
    await this.recordRead(principal, 'DELETION_LOG_EXPORTED', query);
    return csv;
  }

  /** Erasures and erased records per category and owning service (aggregates that survive erasure). */
  @Get('summary')
  @Roles('auditor', 'admin', 'platform-operator')
  @ApiResult(deletionLogSummaryView)
  async summary(@CurrentPrincipal() principal: Principal): Promise<DeletionLogSummary> {
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
