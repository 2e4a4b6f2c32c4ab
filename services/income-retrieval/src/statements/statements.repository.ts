import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { IncomeStatementEntity } from './statement.entity';

/** The income statements kept for the accountant (ADR 0025: the only place that queries income_statements). */
@Injectable()
export class StatementsRepository {
  byAllocation(em: EntityManager, allocationId: string): Promise<IncomeStatementEntity | null> {
    return em.findOne(IncomeStatementEntity, { where: { allocationId } });
  }
}
