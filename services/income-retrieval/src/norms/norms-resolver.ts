import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { metrics, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { createLogger } from '@divit/observability';
import { PeriodicTask } from '@divit/persistence';
import type { IncomeRetrievalConfig } from '../config/income-retrieval.config';
import { HouseholdsRepository } from '../households/households.repository';
import { HouseholdsService } from '../households/households.service';
import { INCOME_RETRIEVAL_CONFIG } from '../tokens';
import { NormsService } from './norms.service';

export const AWAITING_NORMS_METRIC = 'divit_income_allocations_awaiting_norms';

export interface ResolveResult {
  /** Allocations that awaited norms now in force and were decided in this run. */
  decided: number;
  /** Allocations still awaiting norms after the run (all lease years). */
  stillAwaiting: number;
}

/**
 * Decides the allocations that awaited their lease year's income norms once those norms are in force (ADR 0017):
 * every NORMS_RESOLVE_INTERVAL_MS (once per period across all replicas: PeriodicTask, ADR 0012) and right after the
 * platform operator publishes a year (`kick`). One transaction per allocation, under the allocation's lock, like the
 * expiry sweep. Also serves the gauge `divit_income_allocations_awaiting_norms{lease_year}`.
 */
@Injectable()
export class NormsResolver
  implements OnModuleInit, OnModuleDestroy, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = createLogger('NormsResolver');
  private task: PeriodicTask<ResolveResult> | undefined;
  /** The run started by the last publication, awaited on shutdown (runExclusive does not watch stop()). */
  private kicked: Promise<unknown> = Promise.resolve();
  private gauge: ObservableGauge | undefined;
  /** Lease years reported before: they are reported as 0 once none await, so the series does not just vanish. */
  private readonly reportedYears = new Set<number>();
  private readonly observe = (result: ObservableResult) => this.observeAwaiting(result);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: HouseholdsRepository,
    private readonly households: HouseholdsService,
    private readonly norms: NormsService,
    @Inject(INCOME_RETRIEVAL_CONFIG) private readonly config: IncomeRetrievalConfig,
  ) {}

  onModuleInit(): void {
    this.gauge = metrics.getMeter('@divit/income-retrieval').createObservableGauge(AWAITING_NORMS_METRIC, {
      description:
        'Allocations whose members have all shared but whose lease year has no income norms yet (decided once the norms are published)',
      unit: '{allocation}',
    });
    this.gauge.addCallback(this.observe);
  }

  onModuleDestroy(): void {
    this.gauge?.removeCallback(this.observe);
    this.gauge = undefined;
  }

  onApplicationBootstrap(): void {
    // The task is built even with the timer off: `kick` (after a publication) runs it through the same lock.
    this.task = new PeriodicTask({
      dataSource: this.dataSource,
      name: 'income-retrieval.norms-resolver',
      intervalMs: this.config.NORMS_RESOLVE_INTERVAL_MS,
      run: () => this.resolve(),
      onError: (error) => this.logger.error('norms resolver failed', error),
    });
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    await this.kicked;
    await task?.stop();
  }

  /**
   * Runs the resolver now, in the background, under the cross-replica lock (waiting for a run elsewhere to end, so
   * a run that began before the norms were published is followed by one that sees them). A failure is logged; the
   * periodic run retries.
   */
  kick(): Promise<ResolveResult | undefined> {
    const task = this.task;
    if (!task) return Promise.resolve(undefined);
    const run = this.kicked.then(() =>
      task.runExclusive(15_000).catch((error: unknown) => {
        this.logger.warn('norms resolver after publication did not run; the periodic run will', {
          error: String(error),
        });
        return undefined;
      }),
    );
    this.kicked = run;
    return run;
  }

  /** Decides every undecided allocation that awaits a lease year now in force. */
  async resolve(): Promise<ResolveResult> {
    const years = (await this.norms.catalogue()).years();
    let decided = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = (await this.repo.awaitingNorms(this.dataSource.manager, years, 200)).filter(
        (id) => !seen.has(id),
      );
      if (due.length === 0) break;
      for (const id of due) {
        seen.add(id);
        if (await this.dataSource.transaction((em) => this.households.resolveAwaitingNorms(em, id)))
          decided++;
      }
    }
    const counts = await this.repo.awaitingNormsCounts(this.dataSource.manager);
    const stillAwaiting = counts.reduce((n, c) => n + c.allocations, 0);
    if (decided > 0 || seen.size > 0)
      this.logger.info('allocations awaiting norms resolved', {
        decided,
        examined: seen.size,
        stillAwaiting,
      });
    return { decided, stillAwaiting };
  }

  private async observeAwaiting(result: ObservableResult): Promise<void> {
    try {
      const counts = await this.repo.awaitingNormsCounts(this.dataSource.manager);
      for (const c of counts) this.reportedYears.add(c.leaseYear);
      for (const year of this.reportedYears)
        result.observe(counts.find((c) => c.leaseYear === year)?.allocations ?? 0, {
          lease_year: String(year),
        });
      if (this.reportedYears.size === 0) result.observe(0);
    } catch (error) {
      // A scrape while the database is away reports nothing for this gauge rather than failing /metrics.
      this.logger.warn('could not count the allocations awaiting norms', { error: String(error) });
    }
  }
}
