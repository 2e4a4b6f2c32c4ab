import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createLogger } from '@divit/observability';
import { IDV_SETTINGS, IdvSettings } from '../common/settings';
import { SharingSessionsService } from './sharing-sessions.service';

/** Expires sharing sessions past their timeout (SESSION_EXPIRED) every SWEEP_INTERVAL_MS. */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly logger = createLogger('SessionSweeper');

  constructor(
    private readonly sessions: SharingSessionsService,
    @Inject(IDV_SETTINGS) private readonly settings: IdvSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.settings.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.sessions
      .expireDue()
      .catch((error: unknown) => this.logger.error('sweep failed; will retry', error))
      .finally(() => {
        this.running = undefined;
      });
  }
}
