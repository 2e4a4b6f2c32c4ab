import { Module } from '@nestjs/common';
import { OrganisationScope } from '@divit/service-kit';
import { ErasureModule } from '@divit/service-kit';
import { incomeRetrievalErasure } from '../erasure/owned-categories';
import { NormsResolver } from '../norms/norms-resolver';
import { NormsController } from '../norms/norms.controller';
import { NormsRepository } from '../norms/norms.repository';
import { NormsService } from '../norms/norms.service';
import { ExpiryScheduler } from './expiry.scheduler';
import { HouseholdsController } from './households.controller';
import { HouseholdsRepository } from './households.repository';
import { HouseholdsService } from './households.service';
import { IncomeEventsConsumer } from './income-events.consumer';

@Module({
  imports: [ErasureModule.forOwner(incomeRetrievalErasure)],
  controllers: [HouseholdsController, NormsController],
  providers: [
    OrganisationScope,
    HouseholdsRepository,
    HouseholdsService,
    ExpiryScheduler,
    IncomeEventsConsumer,
    NormsRepository,
    NormsService,
    NormsResolver,
  ],
  exports: [HouseholdsService, ExpiryScheduler, NormsService, NormsResolver],
})
export class HouseholdsModule {}
