import { DataSource } from 'typeorm';

export interface ReadinessSettings {
  /** The database must answer within this time, or the service is not ready. */
  databaseTimeoutMs: number;
}

export interface ReadinessReport {
  ready: boolean;
  checks: {
    database: 'ok' | 'timeout' | 'unreachable';
    migrations: 'ok' | 'pending' | 'unknown';
    messaging: 'ok' | 'not-ready';
  };
  problems: string[];
}

/** Something that can say whether its part of the process is ready (MessagingRuntime). */
export interface StatusSource {
  status(): { ready: boolean; problems: string[] };
}

/**
 * The readiness checks of every service: the database answers through the service's own pool within a
 * short time (so an exhausted or stuck pool makes the service unready within that time instead of hanging
 * the probe), no migration is pending, and messaging reports ready (consumers joined).
 */
export class ReadinessCheck {
  /** Migrations cannot become pending again in a running process once they were applied. */
  private migrated = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: StatusSource | undefined,
    private readonly settings: ReadinessSettings,
  ) {}

  async check(): Promise<ReadinessReport> {
    const problems: string[] = [];
    const checks: ReadinessReport['checks'] = { database: 'ok', migrations: 'ok', messaging: 'ok' };
    const database = await withTimeout(this.databaseCheck(), this.settings.databaseTimeoutMs);
    if (database === 'timeout') {
      checks.database = 'timeout';
      checks.migrations = 'unknown';
      problems.push(`database did not answer within ${this.settings.databaseTimeoutMs} ms`);
    } else if (database === 'unreachable') {
      checks.database = 'unreachable';
      checks.migrations = 'unknown';
      problems.push('database not reachable');
    } else if (database === 'pending') {
      checks.migrations = 'pending';
      problems.push('migrations pending');
    }
    const messaging = this.messaging?.status() ?? { ready: true, problems: [] };
    if (!messaging.ready) {
      checks.messaging = 'not-ready';
      problems.push(...messaging.problems);
    }
    return { ready: problems.length === 0, checks, problems };
  }

  private async databaseCheck(): Promise<'ok' | 'pending' | 'unreachable'> {
    try {
      await this.dataSource.query('SELECT 1');
      if (!this.migrated) {
        if (await this.dataSource.showMigrations()) return 'pending';
        this.migrated = true;
      }
      return 'ok';
    } catch {
      return 'unreachable';
    }
  }
}

/**
 * Resolves with the work's result, or with 'timeout' when it takes longer than `ms`. The work is not
 * cancelled (a query waiting for a pool connection gives up at the pool's acquire timeout).
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
