import { Controller, Get, HttpCode, Post, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import {
  ApiFileResult,
  ApiProblems,
  ApiResult,
  ApiResults,
  CurrentPrincipal,
  plainText,
  Roles,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { isoDate } from '../common/dates';
import { ReportsService } from '../reports/reports.service';
import { actsForPayer } from './access';
import {
  discrepancyReportResponseSchema,
  DryRunResponse,
  dryRunResponseSchema,
  reconciliationListResponseSchema,
  reconciliationResponseSchema,
} from './dto/reconciliation-response.dto';
import { ReconciliationError } from './reconciliation.errors';
import { ReconciliationRow } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';

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
  @ApiResult(dryRunResponseSchema, { description: 'The result, calculated and not stored (dryRun true).' })
  @ApiProblems(
    'PERIOD_INVALID',
    'FORBIDDEN_ROLE',
    'FORBIDDEN_SCOPE',
    'PAYER_UNKNOWN',
    'NO_INVOICE',
    'MIXED_ISSUERS',
    'CREDIT_EXCEEDS_INVOICE',
    'SPLIT_IMPOSSIBLE',
    'TARIFF_NOT_FOUND',
  )
  dryRun(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(periodSchema) body: z.infer<typeof periodSchema>,
  ): Promise<DryRunResponse> {
    return this.reconciliation.dryRun(principal, body);
  }

  /** Closes the period: stores a new result version and announces each member's settlement. */
  @Post('close')
  @HttpCode(201)
  @Roles('finance', 'admin', 'platform-operator')
  @ApiResult(reconciliationResponseSchema, { status: 201, description: 'The new version, stored.' })
  @ApiProblems(
    'PERIOD_INVALID',
    'FORBIDDEN_ROLE',
    'FORBIDDEN_SCOPE',
    'PAYER_UNKNOWN',
    'NO_INVOICE',
    'MIXED_ISSUERS',
    'CREDIT_EXCEEDS_INVOICE',
    'SPLIT_IMPOSSIBLE',
    'TARIFF_NOT_FOUND',
    'PERIOD_CLOSED',
  )
  close(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(periodSchema) body: z.infer<typeof periodSchema>,
  ): Promise<ReconciliationRow> {
    return this.reconciliation.close(principal, body);
  }

  /** Re-opens a closed period; every earlier version stays. Closing again creates the next version. */
  @Post('reopen')
  @HttpCode(200)
  @Roles('finance', 'admin', 'platform-operator')
  @ApiResult(reconciliationListResponseSchema, {
    description: 'Every version of the period; the last one re-opened.',
  })
  @ApiProblems('PERIOD_INVALID', 'FORBIDDEN_ROLE', 'FORBIDDEN_SCOPE', 'PERIOD_NOT_CLOSED')
  reopen(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(reopenSchema) body: z.infer<typeof reopenSchema>,
  ): Promise<ReconciliationRow[]> {
    return this.reconciliation.reopen(principal, body);
  }

  /** Every version of a payer's period. */
  @Get()
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  @ApiResult(reconciliationListResponseSchema, { description: 'Every version of the period, oldest first.' })
  @ApiProblems('FORBIDDEN_ROLE', 'FORBIDDEN_SCOPE')
  versions(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(periodQuery) query: z.infer<typeof periodQuery>,
  ): Promise<ReconciliationRow[]> {
    return this.reconciliation.versions(principal, query);
  }

  @Get(':id')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  @ApiResult(reconciliationResponseSchema)
  @ApiProblems({ code: 'RECONCILIATION_NOT_FOUND', description: "no such version, or another payer's" })
  async get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParam) params: { id: string },
  ): Promise<ReconciliationRow> {
    const row = await this.reconciliation.get(principal, params.id);
    await this.accessLog.record(reconciliationEntry(principal, 'RECONCILIATION_READ', row));
    return row;
  }

  /** All members' statements of one version as CSV (coordinator of the payer, finance, auditor, admin). */
  @Get(':id/statements')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  @ApiFileResult('text/csv', { description: "Every member's statement of the version, with a TOTAL line." })
  @ApiProblems('RECONCILIATION_NOT_FOUND')
  async statements(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParam) params: { id: string },
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
  @ApiResults(
    { 'text/csv': 'text', 'application/pdf': 'binary' },
    {
      description: "The member's statement: text/csv (format=csv, default) or application/pdf (format=pdf).",
    },
  )
  @ApiProblems('RECONCILIATION_NOT_FOUND', 'MEMBER_NOT_IN_RESULT')
  async statement(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(memberParam) params: z.infer<typeof memberParam>,
    @ZodQuery(formatQuery(['csv', 'pdf'])) query: { format: string },
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
  @ApiFileResult('application/pdf', { description: 'The coordinator overview: summary and cost per member.' })
  @ApiProblems('RECONCILIATION_NOT_FOUND')
  async overview(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParam) params: { id: string },
  ): Promise<StreamableFile> {
    const row = await this.reconciliation.get(principal, params.id);
    await this.accessLog.record(reconciliationEntry(principal, 'OVERVIEW_PDF_EXPORTED', row));
    return file(await this.reports.overviewPdf(row), 'application/pdf', `overview-v${row.version}.pdf`);
  }

  /** Discrepancy report: classified differences and every late usage record, CSV or JSON. */
  @Get(':id/discrepancies')
  @Roles('finance', 'admin', 'coordinator', 'auditor', 'platform-operator')
  @ApiResults(
    { 'application/json': discrepancyReportResponseSchema, 'text/csv': 'text' },
    {
      description:
        'The discrepancy report: application/json (format=json, default) or text/csv (format=csv).',
    },
  )
  @ApiProblems('RECONCILIATION_NOT_FOUND')
  async discrepancies(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParam) params: { id: string },
    @ZodQuery(formatQuery(['json', 'csv'])) query: { format: string },
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
