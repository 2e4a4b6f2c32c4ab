import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import type { ReconciliationRow } from '../reconciliation/reconciliation.repository';
import * as render from './render';

/** Renders the finance outputs of a stored version, with organisation names from the registration facts. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsRepository,
  ) {}

  async names(row: ReconciliationRow): Promise<render.Names> {
    const ids = [row.payerOrganisationId, ...row.result.split.parts.map((p) => p.memberId)];
    return this.organisations.names(this.dataSource.manager, ids);
  }

  async statementCsv(row: ReconciliationRow, memberId: string) {
    return render.statementCsv(row, memberId, await this.names(row));
  }
  async statementsCsv(row: ReconciliationRow) {
    return render.statementsCsv(row, await this.names(row));
  }
  async statementPdf(row: ReconciliationRow, memberId: string) {
    return render.statementPdf(row, memberId, await this.names(row));
  }
  async overviewPdf(row: ReconciliationRow) {
    return render.overviewPdf(row, await this.names(row));
  }
  discrepanciesCsv(row: ReconciliationRow, late: Parameters<typeof render.discrepanciesCsv>[1]) {
    return render.discrepanciesCsv(row, late);
  }
}
