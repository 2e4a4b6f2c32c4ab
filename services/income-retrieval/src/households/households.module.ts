import { Module } from '@nestjs/common';
import { OrganisationScope } from '@divit/service-kit';
import { AccessLogModule } from '../access-log/access-log.module';
import { ErasureService } from '../erasure/erasure.service';
import { ExpiryScheduler } from './expiry.scheduler';
import { HouseholdsController } from './households.controller';
import { HouseholdsRepository } from './households.repository';
import { HouseholdsService } from './households.service';
import { IncomeEventsConsumer } from './income-events.consumer';

@Module({
  imports: [AccessLogModule],
  controllers: [HouseholdsController],
  providers: [
    OrganisationScope,
    HouseholdsRepository,
    HouseholdsService,
    ExpiryScheduler,
    ErasureService,
    IncomeEventsConsumer,
  ],
  exports: [HouseholdsService, ExpiryScheduler],
})
export class HouseholdsModule {}
