import { Module } from '@nestjs/common';
import { deadLetterTopicFor } from '@divit/contracts';
import { ErasureModule } from '@divit/service-kit';
import { billingErasure, ERASURE_GROUP } from './erasure/owned-categories';
import { GuaranteeFundModule } from './guarantee-fund/guarantee-fund.module';
import { InvoicesModule } from './invoices/invoices.module';
import { LedgerModule } from './ledger/ledger.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ReportsModule } from './reports/reports.module';
import { SupplierCostsModule } from './supplier-costs/supplier-costs.module';
import { SubjectAccessModule } from './subject-access/subject-access.module';
import { TariffsModule } from './tariffs/tariffs.module';

/** The billing features, one Nest module each; erasure of the data they own. */
@Module({
  imports: [
    ErasureModule.forOwner(billingErasure, {
      groupId: ERASURE_GROUP,
      deadLetterTopic: deadLetterTopicFor['billing-reconciliation'],
    }),
    OrganisationsModule,
    TariffsModule,
    InvoicesModule,
    LedgerModule,
    ReportsModule,
    ReconciliationModule,
    GuaranteeFundModule,
    SupplierCostsModule,
    SubjectAccessModule,
  ],
})
export class BillingModule {}
