import { IncomingMessage } from 'node:http';
import { Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { z } from 'zod';
import {
  ApiProblems,
  ApiRequestContent,
  ApiResult,
  CurrentPrincipal,
  isPlatformOperator,
  Roles,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import type { BillingConfig } from '../config/billing.config';
import { BILLING_CONFIG } from '../config/billing.tokens';
import { actsForPayer, assertPayerScope } from '../reconciliation/access';
import { INVOICE_FILE_DESCRIPTION, invoiceFileJsonSchema } from './dto/invoice-file.dto';
import {
  importResponseSchema,
  invoiceFileProblemMembers,
  invoiceListResponseSchema,
  invoiceResponseSchema,
} from './dto/invoice-response.dto';
import { InvoiceError } from './invoices.errors';
import { ImportResult, InvoicesService, InvoiceView } from './invoices.service';

const idParam = z.strictObject({ id: z.uuid() });
const invoiceListQuery = z.strictObject({ payerOrganisationId: z.uuid().optional() });

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
  @ApiRequestContent(
    { 'text/csv': 'text', 'application/json': invoiceFileJsonSchema },
    { description: INVOICE_FILE_DESCRIPTION },
  )
  @ApiResult(importResponseSchema, { status: 201, description: 'Every invoice of the file, as stored.' })
  @ApiProblems(
    { code: 'INVOICE_FILE_INVALID', members: invoiceFileProblemMembers },
    'INVOICE_CONTENT_TYPE',
    'INVOICE_FILE_TOO_LARGE',
  )
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
  @ApiResult(invoiceListResponseSchema)
  @ApiProblems('FORBIDDEN_ROLE', 'FORBIDDEN_SCOPE')
  async list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(invoiceListQuery) query: z.infer<typeof invoiceListQuery>,
  ): Promise<InvoiceView[]> {
    if (query.payerOrganisationId) assertPayerScope(principal, query.payerOrganisationId);
    return this.invoices.list(
      query.payerOrganisationId ?? (isPlatformOperator(principal) ? undefined : principal.organisationId),
    );
  }

  @Get(':id')
  @Roles('finance', 'admin', 'auditor', 'coordinator', 'platform-operator')
  @ApiResult(invoiceResponseSchema)
  @ApiProblems({ code: 'INVOICE_NOT_FOUND', description: "no such invoice, or another payer's" })
  async get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParam) params: { id: string },
  ): Promise<InvoiceView> {
    const invoice = await this.invoices.get(params.id);
    // Another payer's invoice answers exactly like a missing one.
    if (!actsForPayer(principal, invoice.payerOrganisationId))
      throw new InvoiceError('INVOICE_NOT_FOUND', 'no invoice with this id');
    return invoice;
  }
}
