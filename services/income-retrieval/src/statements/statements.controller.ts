import { Controller, Get, StreamableFile } from '@nestjs/common';
import {
  ApiFileResult,
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  Roles,
  ZodParams,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogEntry, accessLogEntriesSchema } from '@divit/access-log';
import { allocationIdParam } from '../households/households.controller';
import { StatementsService } from './statements.service';
import { IncomeStatementView, incomeStatementSchema, STATEMENT_PDF_MEDIA_TYPE } from './statements.schemas';

/** Evidence for the accountant: the household income statement per allocation (auditor role; access-logged). */
@Controller('statements')
export class StatementsController {
  constructor(private readonly statements: StatementsService) {}

  /** The statement as JSON: members' income, indexed income, factors, norms, consent ids, timestamps. */
  @Get(':allocationId')
  @Roles('auditor')
  @ApiResult(incomeStatementSchema, { description: 'The income statement (access-logged).' })
  @ApiProblems('STATEMENT_NOT_FOUND')
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { allocationId: string },
  ): Promise<IncomeStatementView> {
    return this.statements.json(principal, params.allocationId);
  }

  /** The same statement as a PDF. */
  @Get(':allocationId/pdf')
  @Roles('auditor')
  @ApiFileResult(STATEMENT_PDF_MEDIA_TYPE, { description: 'The income statement as a PDF (access-logged).' })
  @ApiProblems('STATEMENT_NOT_FOUND')
  async pdf(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { allocationId: string },
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
  @ApiResult(accessLogEntriesSchema, { description: 'The newest entries (at most 500), oldest first.' })
  @ApiProblems('STATEMENT_NOT_FOUND')
  accessLog(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { allocationId: string },
  ): Promise<AccessLogEntry[]> {
    return this.statements.accessLogFor(principal, params.allocationId);
  }
}
