import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createLogger } from '@divit/observability';
import { PeriodicTask } from '@divit/persistence';
import type { IncomeRetrievalConfig } from '../config/income-retrieval.config';
import { INCOME_RETRIEVAL_CONFIG } from '../tokens';
import { HouseholdsRepository } from './households.repository';
import { HouseholdsService } from './households.service';

/**
 * Expires member requests past their deadline (REQUEST_DEADLINE_HOURS), one transaction per allocation, every
 * EXPIRY_SWEEP_INTERVAL_MS: once per period across all replicas (PeriodicTask, ADR 0012).
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('ExpiryScheduler');
  private task: PeriodicTask<Awaited<ReturnType<ExpiryScheduler['sweep']>>> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: HouseholdsRepository,
    private readonly households: HouseholdsService,
    @Inject(INCOME_RETRIEVAL_CONFIG) private readonly config: IncomeRetrievalConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task = new PeriodicTask({
      dataSource: this.dataSource,
      name: 'income-retrieval.expiry-sweep',
      intervalMs: this.config.EXPIRY_SWEEP_INTERVAL_MS,
      run: () => this.sweep(new Date()),
      onError: (error) => this.logger.error('expiry sweep failed', error),
    });
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }

  async sweep(now: Date): Promise<{ expiredRequests: number; allocations: number }> {
    let expiredRequests = 0;
    let allocations = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = (await this.repo.overdueAllocations(this.dataSource.manager, now, 200)).filter(
        (id) => !seen.has(id),
      );
      if (due.length === 0) break;
      for (const id of due) {
        seen.add(id);
        expiredRequests += await this.dataSource.transaction((em) => this.households.expire(em, id, now));
        allocations++;
      }
    }
    if (expiredRequests > 0) this.logger.info('member requests expired', { expiredRequests, allocations });
    return { expiredRequests, allocations };
  }
}
