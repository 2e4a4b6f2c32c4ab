import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { BillingEventsConsumer } from './billing-events.consumer';
import { UsageLedgerRepository } from './usage-ledger.repository';

/** The usage ledger, filled by the billing events consumer. */
@Module({
  imports: [OrganisationsModule],
  providers: [UsageLedgerRepository, BillingEventsConsumer],
  exports: [UsageLedgerRepository],
})
export class LedgerModule {}
