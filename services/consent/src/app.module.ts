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
import { ConsentConfig } from './config/consent.config';
import { consentDataSourceOptions } from './database/data-source';
import { ConsentModule } from './consent.module';

/** Kafka, registry and outbox relay for this process; started after the app boots, stopped on shutdown. */
@Global()
@Module({})
class MessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  static forRoot(config: ConsentConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: MessagingRuntime,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new MessagingRuntime(
              {
                service: 'consent',
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

@Module({})
export class AppModule {
  static forRoot(config: ConsentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(consentDataSourceOptions(config)),
        MessagingModule.forRoot(config),
        AuthModule.forRoot(authSettings(config)),
        PlatformHttpModule.forRoot(platformHttpOptions(config)),
        AccessLogModule.forRoot(),
        ConsentModule.forRoot(config),
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
