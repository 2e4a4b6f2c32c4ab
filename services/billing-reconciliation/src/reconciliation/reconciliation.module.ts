import { Module } from '@nestjs/common';
import { InvoicesModule } from '../invoices/invoices.module';
import { LedgerModule } from '../ledger/ledger.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ReportsModule } from '../reports/reports.module';
import { TariffsModule } from '../tariffs/tariffs.module';
import { AllocationKeysController } from './allocation-keys.controller';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';
import { ReconciliationsController } from './reconciliations.controller';

/** Allocation keys, reconciliation of a payer's period and its versions. */
@Module({
  imports: [OrganisationsModule, InvoicesModule, LedgerModule, TariffsModule, ReportsModule],
  controllers: [AllocationKeysController, ReconciliationsController],
  providers: [ReconciliationRepository, ReconciliationService],
  exports: [ReconciliationService],
})
export class ReconciliationModule {}
