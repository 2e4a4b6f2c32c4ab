import { AccessLogModule } from '@divit/access-log';
import {
  DynamicModule,
  Global,
  Inject,
  Module,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AuthModule,
  authSettings,
  OrganisationScope,
  MessagingRuntime,
  platformHttpOptions,
  PlatformHttpModule,
  ProblemDetailsFilter,
} from '@divit/service-kit';
import { RetentionCleanupConfig } from './config/retention-cleanup.config';
import { RETENTION_CONFIG } from './config/tokens';
import { retentionCleanupDataSourceOptions } from './database/data-source';
import { PoliciesController } from './policies/policies.controller';
import { PoliciesRepository } from './policies/policies.repository';
import { PoliciesService } from './policies/policies.service';
import { ErasuresController } from './erasures/erasures.controller';
import { ErasuresRepository } from './erasures/erasures.repository';
import { ErasuresService } from './erasures/erasures.service';
import { ErasureEvents } from './erasures/erasure.events';
import { LifecycleConsumer } from './erasures/lifecycle.consumer';
import { AcknowledgementsConsumer } from './erasures/acknowledgements.consumer';
import { ReaderScope } from './tenancy/reader-scope';
import { SweepScheduler } from './erasures/sweep.scheduler';
import { HoldsController } from './holds/holds.controller';
import { HoldsRepository } from './holds/holds.repository';
import { HoldsService } from './holds/holds.service';
import { DeletionLogController } from './deletion-log/deletion-log.controller';
import { DeletionLogRepository } from './deletion-log/deletion-log.repository';
import { DeletionLogService } from './deletion-log/deletion-log.service';
import { MetricsService } from './metrics/metrics.service';

export { RETENTION_CONFIG };

const RELAY_BATCH_SIZE = Symbol('RELAY_BATCH_SIZE');

/** Kafka, registry and outbox relay for this process; started after the app boots, stopped on shutdown. */
@Global()
@Module({})
class MessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
    @Inject(RELAY_BATCH_SIZE) private readonly relayBatchSize: number,
  ) {}

  static forRoot(config: RetentionCleanupConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: RELAY_BATCH_SIZE, useValue: config.OUTBOX_RELAY_BATCH_SIZE },
        {
          provide: MessagingRuntime,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new MessagingRuntime(
              {
                service: 'retention-cleanup',
                brokers: config.KAFKA_BROKERS,
                registryUrl: config.SCHEMA_REGISTRY_URL,
                topicPrefix: config.KAFKA_TOPIC_PREFIX,
                autoRegisterSchemas: config.SCHEMA_AUTO_REGISTER,
                ...(config.SERVICE_INSTANCE_ID ? { instanceId: config.SERVICE_INSTANCE_ID } : {}),
              },
              dataSource,
            ),
        },
      ],
      exports: [MessagingRuntime],
    };
  }

  /** The runtime's relay with a configurable batch size (`OUTBOX_RELAY_BATCH_SIZE`). */
  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.startRelay({ batchSize: this.relayBatchSize });
  }

  // Before the application shuts down, not in onApplicationShutdown: @nestjs/typeorm closes the data source in
  // that phase, and a consumer still handling a message would then fail (and once dead-lettered a good event).
  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

@Module({})
export class AppModule {
  static forRoot(config: RetentionCleanupConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(retentionCleanupDataSourceOptions(config)),
        MessagingModule.forRoot(config),
        AuthModule.forRoot(authSettings(config)),
        PlatformHttpModule.forRoot(platformHttpOptions(config)),
        AccessLogModule.forRoot(),
      ],
      controllers: [PoliciesController, ErasuresController, HoldsController, DeletionLogController],
      providers: [
        { provide: RETENTION_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        PoliciesRepository,
        PoliciesService,
        ErasuresRepository,
        ErasuresService,
        ErasureEvents,
        LifecycleConsumer,
        AcknowledgementsConsumer,
        SweepScheduler,
        HoldsRepository,
        HoldsService,
        OrganisationScope,
        ReaderScope,
        DeletionLogRepository,
        DeletionLogService,
        MetricsService,
      ],
    };
  }
}
