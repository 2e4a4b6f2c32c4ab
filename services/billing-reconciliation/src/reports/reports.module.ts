import { Module } from '@nestjs/common';
import { ReportsService } from './reports.service';

/** Finance outputs of a reconciliation: statements (CSV, PDF), the overview and the discrepancy report. */
@Module({
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}
