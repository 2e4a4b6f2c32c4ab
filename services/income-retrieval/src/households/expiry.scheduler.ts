import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createLogger } from '@divit/observability';
import type { IncomeRetrievalConfig } from '../config/income-retrieval.config';
import { INCOME_RETRIEVAL_CONFIG } from '../tokens';
import { HouseholdsRepository } from './households.repository';
import { HouseholdsService } from './households.service';

/** Expires member requests past their deadline (REQUEST_DEADLINE_HOURS), one transaction per allocation. */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger('ExpiryScheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: HouseholdsRepository,
    private readonly households: HouseholdsService,
    @Inject(INCOME_RETRIEVAL_CONFIG) private readonly config: IncomeRetrievalConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.EXPIRY_SWEEP_INTERVAL_MS;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep(new Date())
        .catch((error: unknown) => this.logger.error('expiry sweep failed', error))
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
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
