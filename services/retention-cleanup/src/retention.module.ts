import { Module } from '@nestjs/common';
import { ConformanceModule } from './conformance/conformance.module';
import { DeletionLogModule } from './deletion-log/deletion-log.module';
import { ErasuresModule } from './erasures/erasures.module';
import { HoldsModule } from './holds/holds.module';
import { RetentionMetricsModule } from './metrics/metrics.module';
import { PoliciesApiModule } from './policies/policies-api.module';
import { PoliciesModule } from './policies/policies.module';
import { SubjectAccessModule } from './subject-access/subject-access.module';

/**
 * retention-cleanup's features: retention policies, the erasure schedule (lifecycle and acknowledgement consumers,
 * the sweep), legal holds, the deletion log and the erasure gauges on GET /metrics.
 */
@Module({
  imports: [
    PoliciesModule,
    ErasuresModule,
    PoliciesApiModule,
    HoldsModule,
    DeletionLogModule,
    RetentionMetricsModule,
    ConformanceModule,
    SubjectAccessModule,
  ],
})
export class RetentionModule {}
