import { Module } from '@nestjs/common';
import { ErasureService } from '../erasure/erasure.service';
import { ExpiryScheduler } from './expiry.scheduler';
import { HouseholdsController } from './households.controller';
import { HouseholdsRepository } from './households.repository';
import { HouseholdsService } from './households.service';
import { IncomeEventsConsumer } from './income-events.consumer';

@Module({
  controllers: [HouseholdsController],
  providers: [HouseholdsRepository, HouseholdsService, ExpiryScheduler, ErasureService, IncomeEventsConsumer],
  exports: [HouseholdsService, ExpiryScheduler],
})
export class HouseholdsModule {}
