import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createLogger } from '@divit/observability';
import { PeriodicTask } from '@divit/persistence';
import { RETENTION_CONFIG } from '../config/tokens';
import type { RetentionCleanupConfig } from '../config/retention-cleanup.config';
import { ErasuresService } from './erasures.service';

/**
 * Runs a sweep every SWEEP_INTERVAL_SECONDS (0: only on POST /sweeps), once per period across all replicas
 * and never two at once (PeriodicTask, ADR 0012); the sweep's own claims use SKIP LOCKED as well.
 */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('SweepScheduler');
  private task: PeriodicTask<Awaited<ReturnType<ErasuresService['sweep']>>> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly erasures: ErasuresService,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionCleanupConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task = new PeriodicTask({
      dataSource: this.dataSource,
      name: 'retention-cleanup.sweep',
      intervalMs: this.config.SWEEP_INTERVAL_SECONDS * 1000,
      run: () => this.erasures.sweep(),
      onError: (error) => this.logger.error('scheduled sweep failed', error),
    });
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }
}
