import { Module } from '@nestjs/common';
import { ErasuresModule } from '../erasures/erasures.module';
import { MetricsService } from './metrics.service';

/** The erasure gauges on GET /metrics (overdue and pending erasures). */
@Module({ imports: [ErasuresModule], providers: [MetricsService] })
export class RetentionMetricsModule {}
