import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createLogger } from '@divit/observability';
import { PeriodicTask } from '@divit/persistence';
import { IDV_SETTINGS, IdvSettings } from '../common/settings';
import { ExpireSessions } from './expire-sessions.use-case';

/**
 * Expires sharing sessions past their timeout (SESSION_EXPIRED) every SWEEP_INTERVAL_MS, once per period across
 * all replicas (PeriodicTask, ADR 0012).
 */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('SessionSweeper');
  private task: PeriodicTask<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly expireSessions: ExpireSessions,
    @Inject(IDV_SETTINGS) private readonly settings: IdvSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.task = new PeriodicTask({
      dataSource: this.dataSource,
      name: 'identity-validation.session-expiry',
      intervalMs: this.settings.sweepIntervalMs,
      run: () => this.expireSessions.execute(),
      onError: (error) => this.logger.error('sweep failed; will retry', error),
    });
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }
}
