import { Module } from '@nestjs/common';
import { deadLetterTopicFor } from '@divit/contracts';
import { ErasureModule } from '@divit/service-kit';
import {
  AllocationKeysController,
  InvoicesController,
  ReconciliationsController,
  TariffsController,
} from './billing.controller';
import { billingErasure, ERASURE_GROUP } from './erasure/owned-categories';
import { InvoicesRepository } from './invoices/invoices.repository';
import { InvoicesService } from './invoices/invoices.service';
import { BillingEventsConsumer } from './ledger/billing-events.consumer';
import { UsageLedgerRepository } from './ledger/usage-ledger.repository';
import { OrganisationsRepository } from './organisations/organisations.repository';
import { ReconciliationRepository } from './reconciliation/reconciliation.repository';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { ReportsService } from './reports/reports.service';
import { TariffsService } from './tariffs/tariffs.service';

@Module({
  imports: [
    ErasureModule.forOwner(billingErasure, {
      groupId: ERASURE_GROUP,
      deadLetterTopic: deadLetterTopicFor['billing-reconciliation'],
    }),
  ],
  controllers: [TariffsController, InvoicesController, AllocationKeysController, ReconciliationsController],
  providers: [
    InvoicesRepository,
    InvoicesService,
    BillingEventsConsumer,
    UsageLedgerRepository,
    OrganisationsRepository,
    ReconciliationRepository,
    ReconciliationService,
    ReportsService,
    TariffsService,
  ],
})
export class BillingModule {}
