import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@divit/service-kit';
import { AccessLogEntry, AccessLogService } from '@divit/access-log';
import { IncomeRetrievalError } from '../households/households.errors';
import { inScope } from '../households/scope';
import { IncomeStatementEntity } from './statement.entity';
import { renderStatementPdf } from './statement-pdf';
import { IncomeStatementView } from './statements.schemas';

/** The income statements kept for the accountant; every read is access-logged in the same transaction. */
@Injectable()
export class StatementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: AccessLogService,
  ) {}

  async json(principal: Principal, allocationId: string): Promise<IncomeStatementView> {
    return this.dataSource.transaction(async (em) => {
      const s = await this.find(principal, allocationId, em);
      await this.accessLog.record(about(principal, 'STATEMENT_READ', s), em);
      // The body is the jsonb document HouseholdsService.decide wrote (and an erasure may have thinned), typed
      // Record<string, unknown> there: its shape is the schema's, which the statements integration spec checks.
      return { ...s.body, containsIncome: s.containsIncome } as IncomeStatementView;
    });
  }

  async pdf(principal: Principal, allocationId: string): Promise<Buffer> {
    return this.dataSource.transaction(async (em) => {
      const s = await this.find(principal, allocationId, em);
      const pdf = await renderStatementPdf(s.body);
      await this.accessLog.record(about(principal, 'STATEMENT_PDF_EXPORTED', s), em);
      return pdf;
    });
  }

  async accessLogFor(principal: Principal, allocationId: string): Promise<AccessLogEntry[]> {
    await this.find(principal, allocationId, this.dataSource.manager);
    return this.accessLog.entriesOf({ allocationId });
  }

  private async find(
    principal: Principal,
    allocationId: string,
    em = this.dataSource.manager,
  ): Promise<IncomeStatementEntity> {
    const s = await em.findOne(IncomeStatementEntity, { where: { allocationId } });
    if (!s || !inScope(principal, s))
      throw new IncomeRetrievalError(
        'STATEMENT_NOT_FOUND',
        'no income statement for this allocation in your scope',
      );
    return s;
  }
}

function about(
  principal: Principal,
  action: string,
  s: Pick<IncomeStatementEntity, 'allocationId' | 'organisationId' | 'registrationId'>,
) {
  return {
    principal,
    action,
    resourceType: 'income-statement',
    resourceId: s.allocationId,
    organisationId: s.organisationId,
    registrationId: s.registrationId,
    allocationId: s.allocationId,
    purpose: 'ACCOUNTANT_AUDIT',
  };
}
