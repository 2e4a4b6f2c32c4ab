import { Controller, Get, Inject } from '@nestjs/common';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { DomainError, registerErrorStatuses } from '../domain-error';
import { ApiProblems, ApiResult } from '../openapi/api-decorators';
import { ReadinessCheck } from './readiness';

export const livenessView = z.object({ status: z.literal('ok') });
export const readinessChecksView = z.object({
  database: z.enum(['ok', 'timeout', 'unreachable']),
  migrations: z.enum(['ok', 'pending', 'unknown']),
  messaging: z.enum(['ok', 'not-ready']),
});
export const readinessView = z.object({
  status: z.literal('ok'),
  pendingMigrations: z.literal(false),
  checks: readinessChecksView,
});

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
  @ApiResult(livenessView, { description: 'The process answers.' })
  live(): z.infer<typeof livenessView> {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers within HEALTH_DB_TIMEOUT_MS, no migration is pending and every Kafka
   * consumer has joined its group; otherwise 503 naming what is not ready.
   */
  @Get('ready')
  @ApiResult(readinessView, { description: 'Ready: database, migrations and messaging are ok.' })
  @ApiProblems({
    code: 'NOT_READY',
    description:
      'the database is unreachable or slower than HEALTH_DB_TIMEOUT_MS, migrations are pending, or a Kafka consumer has not joined its group; `checks` says which',
  })
  async ready(): Promise<z.infer<typeof readinessView>> {
    const report = await this.readiness.check();
    if (!report.ready)
      throw new DomainError<HealthErrorCode>('NOT_READY', `not ready: ${report.problems.join('; ')}`, {
        checks: report.checks,
      });
    return { status: 'ok', pendingMigrations: false, checks: report.checks };
  }
}
