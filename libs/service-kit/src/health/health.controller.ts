import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../auth/auth.decorators';
import { DomainError, registerErrorStatuses } from '../domain-error';
import { ReadinessCheck, ReadinessReport } from './readiness';

export const READINESS_CHECK = Symbol('READINESS_CHECK');

export type HealthErrorCode = 'NOT_READY';
registerErrorStatuses({ NOT_READY: 503 } satisfies Record<HealthErrorCode, number>);

/** The probes of every service; public (no token) and never rate limited. */
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECK) private readonly readiness: ReadinessCheck) {}

  /** Liveness: the process answers. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers within HEALTH_DB_TIMEOUT_MS, no migration is pending and every Kafka
   * consumer has joined its group; otherwise 503 naming what is not ready.
   */
  @Get('ready')
  async ready(): Promise<{ status: 'ok'; pendingMigrations: false; checks: ReadinessReport['checks'] }> {
    const report = await this.readiness.check();
    if (!report.ready)
      throw new DomainError<HealthErrorCode>('NOT_READY', `not ready: ${report.problems.join('; ')}`, {
        checks: report.checks,
      });
    return { status: 'ok', pendingMigrations: false, checks: report.checks };
  }
}
