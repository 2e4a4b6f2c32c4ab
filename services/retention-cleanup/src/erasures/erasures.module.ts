import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AcknowledgementsConsumer } from './acknowledgements.consumer';
import { ErasureEvents } from './erasure.events';
import { ErasuresController } from './erasures.controller';
import { ErasuresRepository } from './erasures.repository';
import { ErasuresService } from './erasures.service';
import { LifecycleConsumer } from './lifecycle.consumer';
import { SweepScheduler } from './sweep.scheduler';

/** The erasure schedule: lifecycle triggers and acknowledgements consumed, commands sent, the sweep. */
@Module({
  imports: [PoliciesModule, TenancyModule],
  controllers: [ErasuresController],
  providers: [
    ErasuresRepository,
    ErasuresService,
    ErasureEvents,
    LifecycleConsumer,
    AcknowledgementsConsumer,
    SweepScheduler,
  ],
  exports: [ErasuresService],
})
export class ErasuresModule {}
