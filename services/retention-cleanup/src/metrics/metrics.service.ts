import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { metrics, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { ErasuresService } from '../erasures/erasures.service';

export const OVERDUE_METRIC = 'divit_retention_overdue_erasures';

/**
 * Erasure metrics from the schedule, as OpenTelemetry observable gauges; the platform's GET /metrics (service-kit)
 * serves them in the Prometheus text format with the process's other metrics.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  private gauges: ObservableGauge[] = [];
  private readonly callback = async (result: ObservableResult, pick: (c: Counts) => number) => {
    result.observe(pick(await this.erasures.counts()));
  };

  constructor(private readonly erasures: ErasuresService) {}

  onModuleInit(): void {
    const meter = metrics.getMeter('@divit/retention-cleanup');
    const gauge = (name: string, description: string, pick: (c: Counts) => number) => {
      const g = meter.createObservableGauge(name, { description, unit: '{erasure}' });
      g.addCallback((result) => this.callback(result, pick));
      this.gauges.push(g);
    };
    gauge(
      OVERDUE_METRIC,
      'Erasures due and not acknowledged past the overdue threshold (held ones excluded)',
      (c) => c.overdue,
    );
    gauge(
      'divit_retention_scheduled_erasures',
      'Erasures waiting to be issued (future, due or held)',
      (c) => c.scheduled,
    );
    gauge(
      'divit_retention_issued_erasures',
      'Erasure commands waiting for their acknowledgement',
      (c) => c.issued,
    );
    gauge('divit_retention_held_erasures', 'Due erasures kept back by a legal hold', (c) => c.held);
  }

  onModuleDestroy(): void {
    this.gauges = [];
  }
}

type Counts = Awaited<ReturnType<ErasuresService['counts']>>;
