import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, plainText, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { isoDate } from '../common/dates';
import { ReportsService } from '../reports/reports.service';
import { actsForPayer } from './access';
import { ReconciliationError } from './reconciliation.errors';
import { ReconciliationRow } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';
import { ReconciliationResult } from './reconciliation.types';

const periodSchema = z.strictObject({
  payerOrganisationId: z.uuid(),
  periodStart: isoDate,
  periodEnd: isoDate,
  /** Amount difference per unit line (cents) still counted as rounding; default BILLING_TOLERANCE_CENTS. */
  toleranceCents: z.number().int().min(0).max(100_000).optional(),
});
const reopenSchema = periodSchema.extend({ reason: plainText({ min: 3, max: 500 }) });
const periodQuery = z.strictObject({
  payerOrganisationId: z.uuid(),
  periodStart: isoDate,
  periodEnd: isoDate,
});
const idParam = z.strictObject({ id: z.uuid() });
const memberParam = z.strictObject({ id: z.uuid(), memberId: z.uuid() });
const formatQuery = (formats: [string, ...string[]]) =>
  z.strictObject({ format: z.enum(formats).default(formats[0]) });

const file = (body: string | Buffer, type: string, name: string) =>
  new StreamableFile(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), {
    type,
    disposition: `attachment; filename="${name}"`,
  });

@Controller('reconciliations')
export class ReconciliationsController {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly reports: ReportsService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** Calculates without storing anything. */
  @Post('dry-run')
  @HttpCode(200)
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  dryRun(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(periodSchema)) body: z.infer<typeof periodSchema>,
  ): Promise<ReconciliationResult & { dryRun: true }> {
    return this.reconciliation.dryRun(principal, body);
  }

  /** Closes the period: stores a new result version and announces each member's settlement. */
  @Post('close')
  @HttpCode(201)
  @Roles('finance', 'admin', 'platform-operator')
  close(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(periodSchema)) body: z.infer<typeof periodSchema>,
  ): Promise<ReconciliationRow> {
    return this.reconciliation.close(principal, body);
  }

  /** Re-opens a closed period; every earlier version stays. Closing again creates the next version. */
  @Post('reopen')
  @HttpCode(200)
  @Roles('finance', 'admin', 'platform-operator')
  reopen(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(reopenSchema)) body: z.infer<typeof reopenSchema>,
  ): Promise<ReconciliationRow[]> {
    return this.reconciliation.reopen(principal, body);
  }

  /** Every version of a payer's period. */
  @Get()
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  versions(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(periodQuery)) query: z.infer<typeof periodQuery>,
  ): Promise<ReconciliationRow[]> {
    return this.reconciliation.versions(principal, query);
  }

  @Get(':id')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(idParam)) params: { id: string },
  ): Promise<ReconciliationRow> {
    const row = await this.reconciliation.get(principal, params.id);
    await this.accessLog.record(reconciliationEntry(principal, 'RECONCILIATION_READ', row));
    return row;
  }

  /** All members' statements of one version as CSV (coordinator of the payer, finance, auditor, admin). */
  @Get(':id/statements')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  async statements(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(idParam)) params: { id: string },
  ): Promise<StreamableFile> {
    const row = await this.reconciliation.get(principal, params.id);
    await this.accessLog.record(reconciliationEntry(principal, 'STATEMENT_CSV_EXPORTED', row));
    return file(
      await this.reports.statementsCsv(row),
      'text/csv; charset=utf-8',
      `statements-v${row.version}.csv`,
    );
  }

  /** One member's statement, CSV or PDF (the member itself, its coordinator, finance, auditor, admin). */
  @Get(':id/statements/:memberId')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'member', 'platform-operator')
  async statement(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(memberParam)) params: z.infer<typeof memberParam>,
    @Query(new ZodValidationPipe(formatQuery(['csv', 'pdf']))) query: { format: string },
  ): Promise<StreamableFile> {
    const row = await this.reconciliation.find(params.id);
    // The member itself reads its own statement; otherwise the payer's roles. Anyone else: as a missing id.
    const ownStatement = principal.roles.includes('member') && principal.organisationId === params.memberId;
    if (!ownStatement && !actsForPayer(principal, row.payerOrganisationId))
      throw new ReconciliationError('RECONCILIATION_NOT_FOUND', 'no reconciliation with this id');
    if (!row.result.split.parts.some((p) => p.memberId === params.memberId))
      throw new ReconciliationError(
        'MEMBER_NOT_IN_RESULT',
        'this organisation has no part in this reconciliation',
      );
    if (query.format === 'pdf') {
      await this.accessLog.record(
        reconciliationEntry(principal, 'STATEMENT_PDF_EXPORTED', row, params.memberId),
      );
      return file(
        await this.reports.statementPdf(row, params.memberId),
        'application/pdf',
        `statement-${params.memberId}-v${row.version}.pdf`,
      );
    }
    await this.accessLog.record(
      reconciliationEntry(principal, 'STATEMENT_CSV_EXPORTED', row, params.memberId),
    );
    return file(
      await this.reports.statementCsv(row, params.memberId),
      'text/csv; charset=utf-8',
      `statement-${params.memberId}-v${row.version}.csv`,
    );
  }

  /** The coordinator overview: reconciliation summary and a bar chart of cost per member. */
  @Get(':id/overview')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  async overview(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(idParam)) params: { id: string },
  ): Promise<StreamableFile> {
    const row = await this.reconciliation.get(principal, params.id);
    await this.accessLog.record(reconciliationEntry(principal, 'OVERVIEW_PDF_EXPORTED', row));
    return file(await this.reports.overviewPdf(row), 'application/pdf', `overview-v${row.version}.pdf`);
  }

  /** Discrepancy report: classified differences and every late usage record, CSV or JSON. */
  @Get(':id/discrepancies')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  async discrepancies(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(idParam)) params: { id: string },
    @Query(new ZodValidationPipe(formatQuery(['json', 'csv']))) query: { format: string },
  ): Promise<StreamableFile | { discrepancies: unknown[]; lateUsage: unknown[] }> {
    const row = await this.reconciliation.get(principal, params.id);
    await this.accessLog.record(reconciliationEntry(principal, 'DISCREPANCIES_EXPORTED', row));
    const late = await this.reconciliation.lateUsage(row);
    if (query.format === 'csv')
      return file(
        this.reports.discrepanciesCsv(row, late),
        'text/csv; charset=utf-8',
        `discrepancies-v${row.version}.csv`,
      );
    return { discrepancies: row.result.discrepancies, lateUsage: late };
  }
}

/** An access-log entry for a reconciliation (or one member's statement of it); the payer owns the data. */
function reconciliationEntry(
  principal: Principal,
  action: string,
  row: Pick<ReconciliationRow, 'reconciliationId' | 'payerOrganisationId'>,
  memberId?: string,
) {
  return {
    principal,
    action,
    resourceType: memberId ? 'member-statement' : 'reconciliation',
    resourceId: memberId ? `${row.reconciliationId}/${memberId}` : row.reconciliationId,
    organisationId: row.payerOrganisationId,
  };
}
