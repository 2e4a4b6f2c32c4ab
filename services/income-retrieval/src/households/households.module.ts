import { Module } from '@nestjs/common';
import { AccessLogModule } from '../access-log/access-log.module';
import { ErasureModule } from '@divit/service-kit';
import { incomeRetrievalErasure } from '../erasure/owned-categories';
import { ExpiryScheduler } from './expiry.scheduler';
import { HouseholdsController } from './households.controller';
import { HouseholdsRepository } from './households.repository';
import { HouseholdsService } from './households.service';
import { IncomeEventsConsumer } from './income-events.consumer';

@Module({
  imports: [AccessLogModule, ErasureModule.forOwner(incomeRetrievalErasure)],
  controllers: [HouseholdsController],
  providers: [HouseholdsRepository, HouseholdsService, ExpiryScheduler, IncomeEventsConsumer],
  exports: [HouseholdsService, ExpiryScheduler],
})
export class HouseholdsModule {}
