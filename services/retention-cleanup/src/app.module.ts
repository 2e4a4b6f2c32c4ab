import { DynamicModule, Module } from '@nestjs/common';
import { AccessLogModule } from '@divit/access-log';
import { PlatformModule } from '@divit/service-kit';
import { RetentionCleanupConfig } from './config/retention-cleanup.config';
import { RETENTION_CONFIG } from './config/tokens';
import { retentionCleanupDataSourceOptions } from './database/data-source';
import { RetentionModule } from './retention.module';

export { RETENTION_CONFIG };

@Module({})
export class AppModule {
  static forRoot(config: RetentionCleanupConfig): DynamicModule {
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
        RetentionModule,
      ],
    };
  }
}
