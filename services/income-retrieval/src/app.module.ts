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
import { AccessLogModule } from '@divit/access-log';
import { DataSource } from 'typeorm';
import {
  AuthModule,
  authSettings,
  MessagingRuntime,
  platformHttpOptions,
  PlatformHttpModule,
  ProblemDetailsFilter,
} from '@divit/service-kit';
import { IncomeRetrievalConfig } from './config/income-retrieval.config';
import { incomeRetrievalDataSourceOptions } from './database/data-source';
import { HouseholdsModule } from './households/households.module';
import { DEFAULT_NORMS_DIR, loadNormCatalogue } from './norms/norms';
import { StatementsModule } from './statements/statements.module';
import { INCOME_RETRIEVAL_CONFIG, NORM_CATALOGUE } from './tokens';

export { INCOME_RETRIEVAL_CONFIG, NORM_CATALOGUE } from './tokens';

/** Kafka, registry and outbox relay for this process; started after the app boots, stopped on shutdown. */
@Global()
@Module({})
class MessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  static forRoot(config: IncomeRetrievalConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: MessagingRuntime,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new MessagingRuntime(
              {
                service: 'income-retrieval',
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

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.startRelay();
  }

  // Before the application shuts down, not in onApplicationShutdown: @nestjs/typeorm closes the data source in
  // that phase, and a consumer still handling a message would then fail (and once dead-lettered a good event).
  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

/**
 * Config and the shipped norm files (loaded and validated once, at boot: a bad norm file stops the start). The norms
 * in force are these plus those the platform operator publishes at run time (NormsService).
 */
@Global()
@Module({})
class SettingsModule {
  static forRoot(config: IncomeRetrievalConfig): DynamicModule {
    const norms = loadNormCatalogue(config.NORMS_DIR ?? DEFAULT_NORMS_DIR);
    return {
      module: SettingsModule,
      providers: [
        { provide: INCOME_RETRIEVAL_CONFIG, useValue: config },
        { provide: NORM_CATALOGUE, useValue: norms },
      ],
      exports: [INCOME_RETRIEVAL_CONFIG, NORM_CATALOGUE],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: IncomeRetrievalConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SettingsModule.forRoot(config),
        TypeOrmModule.forRoot(incomeRetrievalDataSourceOptions(config)),
        MessagingModule.forRoot(config),
        AuthModule.forRoot(authSettings(config)),
        PlatformHttpModule.forRoot(platformHttpOptions(config)),
        AccessLogModule.forRoot(),
        HouseholdsModule,
        StatementsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
