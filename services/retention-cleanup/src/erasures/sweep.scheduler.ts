import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createLogger } from '@divit/observability';
import { RETENTION_CONFIG } from '../config/tokens';
import type { RetentionCleanupConfig } from '../config/retention-cleanup.config';
import { ErasuresService } from './erasures.service';

/** Runs a sweep every SWEEP_INTERVAL_SECONDS (0: only on POST /sweeps). */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger('SweepScheduler');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly erasures: ErasuresService,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionCleanupConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.SWEEP_INTERVAL_SECONDS;
    if (seconds <= 0) return;
    this.timer = setInterval(() => {
      this.erasures.sweep().catch((error: unknown) => {
        this.logger.error('scheduled sweep failed', error);
      });
    }, seconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
