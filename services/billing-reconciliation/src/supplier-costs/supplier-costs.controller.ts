import { Controller, Get, HttpCode, Post, StreamableFile } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  ApiFileResult,
  ApiProblems,
  ApiResult,
  CsvCell,
  csvText,
  CurrentPrincipal,
  Roles,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import { euros } from '../reports/render';
import { supplierCostListSchema } from './supplier-costs.dto';
import { supplierCostImportSchema, SupplierCostsService, SupplierCostView } from './supplier-costs.service';

const idParam = z.strictObject({ id: z.uuid() });
const listQuery = z.strictObject({ payerOrganisationId: z.uuid().optional() });

/**
 * Costs a software or service supplier passes on (issue 16 item 8): imported by the payer's finance or admin (or
 * the platform operator) and split over its members like a MijnOverheid invoice; read by the payer's roles.
 */
@Controller('supplier-costs')
export class SupplierCostsController {
  constructor(
    private readonly costs: SupplierCostsService,
    private readonly organisations: OrganisationsRepository,
    private readonly dataSource: DataSource,
    private readonly accessLog: AccessLogService,
  ) {}

  /** Imports supplier costs, all or nothing; the same cost again is imported once. Each is split at once. */
  @Post()
  @HttpCode(201)
  @Roles('finance', 'admin', 'platform-operator')
  @ApiResult(supplierCostListSchema, { status: 201, description: 'Every cost of the file, with its split.' })
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FORBIDDEN_SCOPE',
    'PAYER_UNKNOWN',
    'SPLIT_IMPOSSIBLE',
    'SUPPLIER_COST_CONFLICT',
  )
  import(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(supplierCostImportSchema) body: z.infer<typeof supplierCostImportSchema>,
  ): Promise<SupplierCostView[]> {
    return this.costs.import(principal, body.costs);
  }

  @Get()
  @Roles('finance', 'admin', 'auditor', 'coordinator', 'platform-operator')
  @ApiResult(supplierCostListSchema, {
    description: "The payer's supplier costs (default: the caller's own).",
  })
  @ApiProblems('FORBIDDEN_ROLE', 'FORBIDDEN_SCOPE')
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(listQuery) q: z.infer<typeof listQuery>,
  ): Promise<SupplierCostView[]> {
    return this.costs.list(principal, q.payerOrganisationId);
  }

  @Get(':id')
  @Roles('finance', 'admin', 'auditor', 'coordinator', 'platform-operator')
  @ApiResult(supplierCostListSchema.element)
  @ApiProblems({ code: 'SUPPLIER_COST_NOT_FOUND', description: "no such cost, or another payer's" })
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParam) p: { id: string },
  ): Promise<SupplierCostView> {
    return this.costs.get(principal, p.id);
  }

  /** Every member's part as CSV, with a TOTAL line. */
  @Get(':id/statements')
  @Roles('finance', 'admin', 'auditor', 'coordinator', 'platform-operator')
  @ApiFileResult('text/csv', { description: "Every member's part of the supplier cost, with a TOTAL line." })
  @ApiProblems('SUPPLIER_COST_NOT_FOUND')
  async statements(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(idParam) p: { id: string },
  ): Promise<StreamableFile> {
    const cost = await this.costs.get(principal, p.id);
    const names = await this.organisations.names(
      this.dataSource.manager,
      cost.parts.map((x) => x.memberId),
    );
    await this.accessLog.record({
      principal,
      action: 'SUPPLIER_COST_STATEMENTS_EXPORTED',
      resourceType: 'supplier-cost',
      resourceId: cost.supplierCostId,
      organisationId: cost.payerOrganisationId,
    });
    const rows: CsvCell[][] = [
      [
        'supplier',
        'invoiceNumber',
        'periodStart',
        'periodEnd',
        'memberOrganisationId',
        'memberName',
        'allocationKey',
        'keyShareNumerator',
        'keyShareDenominator',
        'amountCents',
        'amountEur',
      ],
      ...cost.parts.map((x): CsvCell[] => [
        cost.supplier,
        cost.invoiceNumber,
        cost.periodStart,
        cost.periodEnd,
        x.memberId,
        names[x.memberId] ?? '',
        cost.basis,
        x.keyShareNumerator,
        x.keyShareDenominator,
        x.amountCents,
        euros(x.amountCents),
      ]),
      [
        cost.supplier,
        cost.invoiceNumber,
        cost.periodStart,
        cost.periodEnd,
        'TOTAL',
        '',
        cost.basis,
        '',
        '',
        cost.amountCents,
        euros(cost.amountCents),
      ],
    ];
    return new StreamableFile(Buffer.from(csvText(rows), 'utf8'), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="supplier-cost-${cost.supplierCostId}.csv"`,
    });
  }
}
