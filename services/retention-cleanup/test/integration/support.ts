import { ServiceTestApp } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import type { Agreement } from '../../src/policies/agreements/agreement';
import {
  loadRetentionCleanupConfig,
  RetentionCleanupConfig,
} from '../../src/config/retention-cleanup.config';
import { retentionCleanupDataSourceOptions } from '../../src/database/data-source';

export { fieldsOf, eventually } from '@divit/testing';
export type { HttpResult, ReceivedEvent } from '@divit/testing';

/** The retention-cleanup service on the real stack (see ServiceTestApp in libs/testing). */
export class RetentionTestApp extends ServiceTestApp<RetentionCleanupConfig> {
  /** `agreements`: an agreement catalogue instead of the shipped files (docs/adr/0036). */
  constructor(env: Record<string, string> = {}, agreements?: ReadonlyMap<string, Agreement>) {
    super({
      service: 'retention-cleanup',
      loadConfig: (e) => loadRetentionCleanupConfig(e),
      dataSourceOptions: retentionCleanupDataSourceOptions,
      appModule: (config) => AppModule.forRoot(config, agreements),
      observe: ['dlqRetentionCleanup'],
      // Sweeps run on POST /sweeps in tests, never on a timer.
      env: { SWEEP_INTERVAL_SECONDS: '0', ...env },
    });
  }

  /** Commands received for one erasure target (decoded from the real commands topic). */
  commands(predicate: (v: Record<string, unknown>) => boolean) {
    return this.received.filter(
      (e) => e.type === 'nl.divit.retentioncleanup.ErasureRequested' && predicate(e.value),
    );
  }

  async commandsMatching(predicate: (v: Record<string, unknown>) => boolean, n: number) {
    return (
      await this.eventsMatching(
        (e) => e.type === 'nl.divit.retentioncleanup.ErasureRequested' && predicate(e.value),
        n,
      )
    ).map((e) => e.value);
  }
}
