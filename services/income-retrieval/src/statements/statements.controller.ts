import { Controller, Get, Param, StreamableFile } from '@nestjs/common';
import { CurrentPrincipal, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import type { AccessLogEntry } from '@divit/access-log';
import { allocationIdParam } from '../households/households.controller';
import { StatementsService } from './statements.service';
import { IncomeStatementView } from './statements.schemas';

/** Evidence for the accountant: the household income statement per allocation (auditor role; access-logged). */
@Controller('statements')
export class StatementsController {
  constructor(private readonly statements: StatementsService) {}

  /** The statement as JSON: members' income, indexed income, factors, norms, consent ids, timestamps. */
  @Get(':allocationId')
  @Roles('auditor')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(allocationIdParam)) params: { allocationId: string },
  ): Promise<IncomeStatementView> {
    return this.statements.json(principal, params.allocationId);
  }

  /** The same statement as a PDF. */
  @Get(':allocationId/pdf')
  @Roles('auditor')
  async pdf(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(allocationIdParam)) params: { allocationId: string },
  ): Promise<StreamableFile> {
    const pdf = await this.statements.pdf(principal, params.allocationId);
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `attachment; filename="income-statement-${params.allocationId}.pdf"`,
    });
  }

  /** Who read the statement or the allocation's progress, when and why. */
  @Get(':allocationId/access-log')
  @Roles('auditor', 'admin')
  accessLog(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(allocationIdParam)) params: { allocationId: string },
  ): Promise<AccessLogEntry[]> {
    return this.statements.accessLogFor(principal, params.allocationId);
  }
}
