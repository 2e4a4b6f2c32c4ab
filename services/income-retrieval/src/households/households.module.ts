import { Module } from '@nestjs/common';
import { OrganisationScope } from '@divit/service-kit';
import { AccessLogModule } from '../access-log/access-log.module';
import { ErasureService } from '../erasure/erasure.service';
import { NormsResolver } from '../norms/norms-resolver';
import { NormsController } from '../norms/norms.controller';
import { NormsService } from '../norms/norms.service';
import { ExpiryScheduler } from './expiry.scheduler';
import { HouseholdsController } from './households.controller';
import { HouseholdsRepository } from './households.repository';
import { HouseholdsService } from './households.service';
import { IncomeEventsConsumer } from './income-events.consumer';

@Module({
  imports: [AccessLogModule],
  controllers: [HouseholdsController, NormsController],
  providers: [
    OrganisationScope,
    HouseholdsRepository,
    HouseholdsService,
    ExpiryScheduler,
    ErasureService,
    IncomeEventsConsumer,
    NormsService,
    NormsResolver,
  ],
  exports: [HouseholdsService, ExpiryScheduler, NormsService, NormsResolver],
})
export class HouseholdsModule {}
