import { Inject, Injectable } from '@nestjs/common';
import { createLogger } from '@divit/observability';
import { IDV_SETTINGS, IdvSettings } from '../common/settings';
import { SessionLifecycle } from './session-lifecycle';
import { SharingSessionsRepository } from './sharing-sessions.repository';

/**
 * Expires open sessions past their deadline (SESSION_EXPIRED; EXPIRED when MijnOverheid never delivered) and deletes
 * identifying data nobody used within IDENTITY_DATA_TTL_SECONDS. Run by the SessionSweeper.
 */
@Injectable()
export class ExpireSessions {
  private readonly logger = createLogger('ExpireSessions');

  constructor(
    private readonly repository: SharingSessionsRepository,
    private readonly lifecycle: SessionLifecycle,
    @Inject(IDV_SETTINGS) private readonly settings: IdvSettings,
  ) {}

  /** Expires open sessions past their deadline and deletes identifying data nobody used. Returns the count. */
  async execute(now = new Date()): Promise<number> {
    const expired = await this.repository.transaction(async (tx) => {
      const due = await this.repository.claimExpired(tx, now, 200);
      for (const session of due)
        await this.lifecycle.fail(
          tx,
          session,
          'SESSION_EXPIRED',
          session.state === 'AWAITING_DELIVERY' ? 'EXPIRED' : null,
          now,
        );
      const cutoff = new Date(now.getTime() - this.settings.identityDataTtlSeconds * 1000);
      await this.repository.deleteUnusedIdentityData(tx, cutoff);
      return due.length;
    });
    if (expired > 0) this.logger.info('sharing sessions expired', { count: expired });
    return expired;
  }
}
