import { DynamicModule, Module } from '@nestjs/common';
import { AccessLogModule } from '@divit/access-log';
import { PlatformModule } from '@divit/service-kit';
import { RetentionCleanupConfig } from './config/retention-cleanup.config';
import { RETENTION_CONFIG } from './config/tokens';
import { retentionCleanupDataSourceOptions } from './database/data-source';
import { RetentionModule } from './retention.module';
import { Agreement, SHIPPED_AGREEMENTS } from './policies/agreements/agreement';
import { AgreementCatalogueModule } from './policies/agreements/agreements.module';

export { RETENTION_CONFIG };

@Module({})
export class AppModule {
  /** `agreements`: the agreement catalogue (docs/adr/0036); the shipped files unless a test passes its own. */
  static forRoot(
    config: RetentionCleanupConfig,
    agreements: ReadonlyMap<string, Agreement> = SHIPPED_AGREEMENTS,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'retention-cleanup',
          config,
          configToken: RETENTION_CONFIG,
          dataSource: retentionCleanupDataSourceOptions(config),
          accessLog: AccessLogModule.forRoot(),
          // A retention sweep writes large bursts of erasure commands (OUTBOX_RELAY_BATCH_SIZE).
          relayBatchSize: config.OUTBOX_RELAY_BATCH_SIZE,
        }),
        AgreementCatalogueModule.forRoot(agreements),
        RetentionModule,
      ],
    };
  }
}
