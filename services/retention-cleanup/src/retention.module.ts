import { Module } from '@nestjs/common';
import { OrganisationScope } from '@divit/service-kit';
import { PoliciesController } from './policies/policies.controller';
import { PoliciesRepository } from './policies/policies.repository';
import { PoliciesService } from './policies/policies.service';
import { ErasuresController } from './erasures/erasures.controller';
import { ErasuresRepository } from './erasures/erasures.repository';
import { ErasuresService } from './erasures/erasures.service';
import { ErasureEvents } from './erasures/erasure.events';
import { LifecycleConsumer } from './erasures/lifecycle.consumer';
import { AcknowledgementsConsumer } from './erasures/acknowledgements.consumer';
import { ReaderScope } from './tenancy/reader-scope';
import { SweepScheduler } from './erasures/sweep.scheduler';
import { HoldsController } from './holds/holds.controller';
import { HoldsRepository } from './holds/holds.repository';
import { HoldsService } from './holds/holds.service';
import { DeletionLogController } from './deletion-log/deletion-log.controller';
import { DeletionLogRepository } from './deletion-log/deletion-log.repository';
import { DeletionLogService } from './deletion-log/deletion-log.service';
import { MetricsService } from './metrics/metrics.service';

/**
 * Retention policies, legal holds, the erasure schedule (lifecycle and acknowledgement consumers, the sweep), the
 * deletion log and the erasure gauges on GET /metrics (MetricsService).
 */
@Module({
  controllers: [PoliciesController, ErasuresController, HoldsController, DeletionLogController],
  providers: [
    PoliciesRepository,
    PoliciesService,
    ErasuresRepository,
    ErasuresService,
    ErasureEvents,
    LifecycleConsumer,
    AcknowledgementsConsumer,
    SweepScheduler,
    HoldsRepository,
    HoldsService,
    OrganisationScope,
    ReaderScope,
    DeletionLogRepository,
    DeletionLogService,
    MetricsService,
  ],
})
export class RetentionModule {}
