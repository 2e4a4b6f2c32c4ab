import { IncomingMessage } from 'node:http';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { z } from 'zod';
import {
  CurrentPrincipal,
  isPlatformOperator,
  plainText,
  Roles,
  ZodValidationPipe,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import type { BillingConfig } from './config/billing.config';
import { BILLING_CONFIG } from './config/billing.tokens';
import { isoDate } from './common/dates';
import { InvoiceError } from './invoices/invoices.errors';
import { ImportResult, InvoicesService, InvoiceView } from './invoices/invoices.service';
import { actsForPayer, assertPayerScope } from './reconciliation/access';
import { ReconciliationError } from './reconciliation/reconciliation.errors';
import { ReconciliationRow, StoredKey } from './reconciliation/reconciliation.repository';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { ReconciliationResult } from './reconciliation/reconciliation.types';
import { ReportsService } from './reports/reports.service';
import { Tariff, tariffSchema, TariffsService, TariffView } from './tariffs/tariffs.service';

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
const payerParam = z.strictObject({ payerOrganisationId: z.uuid() });
const formatQuery = (formats: [string, ...string[]]) =>
  z.strictObject({ format: z.enum(formats).default(formats[0]) });
const invoiceListQuery = z.strictObject({ payerOrganisationId: z.uuid().optional() });
const keySchema = z
  .strictObject({
    effectiveFrom: isoDate,
    basis: z.enum(['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES']),
    /** Only for FIXED_PERCENTAGES: basis points per member (100.00% = 10000). */
    fixedPercentages: z
      .array(
        z.strictObject({ memberOrganisationId: z.uuid(), basisPoints: z.number().int().min(0).max(10_000) }),
      )
      .optional(),
  })
  .refine((k) => (k.basis === 'FIXED_PERCENTAGES') === (k.fixedPercentages !== undefined), {
    path: ['fixedPercentages'],
    message: 'required for FIXED_PERCENTAGES and only there',
  });

const file = (body: string | Buffer, type: string, name: string) =>
  new StreamableFile(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), {
    type,
    disposition: `attachment; filename="${name}"`,
  });

@Controller('tariffs')
export class TariffsController {
  constructor(private readonly tariffs: TariffsService) {}

  /** Tariffs in force and planned (file values are marked assumption: the real tariffs are not public). */
  @Get()
  @Roles('admin', 'finance', 'auditor', 'coordinator', 'platform-operator')
  list(): Promise<TariffView[]> {
    return this.tariffs.list();
  }

  /**
   * Sets (or corrects) a date-versioned tariff; overrides the data file for the same issuer, unit and date.
   * Tariffs apply to every organisation: the platform operator only.
   */
  @Put()
  @Roles('platform-operator')
  set(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(tariffSchema)) body: Tariff,
  ): Promise<TariffView> {
    return this.tariffs.set(principal, body);
  }
}

/** Reads the request body, refusing (413) one larger than `maxBytes` without buffering the rest. */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new InvoiceError('INVOICE_FILE_TOO_LARGE', `the invoice file is larger than ${maxBytes} bytes`, {
      maxBytes,
    });
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

@Controller('invoices')
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly accessLog: AccessLogService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  /**
   * Imports an invoice file: text/csv (one row per invoice line) or application/json. All or nothing: a bad
   * file gets a problem report (422) naming each problem's line and field. The same invoice twice is
   * imported once and answered the same.
   */
  @Post()
  @HttpCode(201)
  @Roles('finance', 'admin', 'platform-operator')
  async import(
    @CurrentPrincipal() principal: Principal,
    @Req() request: IncomingMessage & { body?: unknown },
  ): Promise<ImportResult> {
    const type = request.headers['content-type'] ?? '';
    let result: ImportResult;
    if (/^text\/csv\b/i.test(type))
      result = await this.invoices.import(
        principal,
        'csv',
        await readBody(request, this.config.BILLING_INVOICE_FILE_MAX_BYTES),
      );
    else if (/^application\/json\b/i.test(type))
      result = await this.invoices.import(principal, 'json', request.body);
    else
      throw new InvoiceError('INVOICE_CONTENT_TYPE', 'send the invoice file as text/csv or application/json');
    await this.accessLog.record({ principal, action: 'INVOICES_IMPORTED', resourceType: 'invoice-file' });
    return result;
  }

  /** The caller's own organisation's invoices (any payer's, or one payer's, for the platform operator). */
  @Get()
  @Roles('finance', 'admin', 'auditor', 'coordinator', 'platform-operator')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(invoiceListQuery)) query: z.infer<typeof invoiceListQuery>,
  ): Promise<InvoiceView[]> {
    if (query.payerOrganisationId) assertPayerScope(principal, query.payerOrganisationId);
    return this.invoices.list(
      query.payerOrganisationId ?? (isPlatformOperator(principal) ? undefined : principal.organisationId),
    );
  }

  @Get(':id')
  @Roles('finance', 'admin', 'auditor', 'coordinator', 'platform-operator')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(idParam)) params: { id: string },
  ): Promise<InvoiceView> {
    const invoice = await this.invoices.get(params.id);
    // Another payer's invoice answers exactly like a missing one.
    if (!actsForPayer(principal, invoice.payerOrganisationId))
      throw new InvoiceError('INVOICE_NOT_FOUND', 'no invoice with this id');
    return invoice;
  }
}

@Controller('allocation-keys')
export class AllocationKeysController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get(':payerOrganisationId')
  @Roles('coordinator', 'finance', 'auditor', 'admin', 'platform-operator')
  list(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(payerParam)) params: z.infer<typeof payerParam>,
  ): Promise<StoredKey[]> {
    return this.reconciliation.keys(principal, params.payerOrganisationId);
  }

  /** The coordinator or admin of the payer itself, or the platform operator, sets the key from a date. */
  @Put(':payerOrganisationId')
  @Roles('coordinator', 'admin', 'platform-operator')
  set(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(payerParam)) params: z.infer<typeof payerParam>,
    @Body(new ZodValidationPipe(keySchema)) body: z.infer<typeof keySchema>,
  ): Promise<StoredKey[]> {
    return this.reconciliation.setKey(principal, params.payerOrganisationId, {
      effectiveFrom: body.effectiveFrom,
      basis: body.basis,
      fixedBasisPoints: body.fixedPercentages
        ? Object.fromEntries(body.fixedPercentages.map((f) => [f.memberOrganisationId, f.basisPoints]))
        : null,
    });
  }
}

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
