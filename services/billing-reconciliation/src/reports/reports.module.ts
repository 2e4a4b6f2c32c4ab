import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ReportsService } from './reports.service';

/** Finance outputs of a reconciliation: statements (CSV, PDF), the overview and the discrepancy report. */
@Module({
  imports: [OrganisationsModule],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}
