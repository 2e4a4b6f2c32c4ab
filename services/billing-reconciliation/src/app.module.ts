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
  MessagingRuntime,
  platformHttpOptions,
  PlatformHttpModule,
  ProblemDetailsFilter,
} from '@divit/service-kit';
import { BillingConfig } from './config/billing.config';
import { BILLING_CONFIG } from './config/billing.tokens';
import { billingDataSourceOptions } from './database/data-source';
import { AccessLogModule } from '@divit/access-log';
import { BillingModule } from './billing.module';

/** Kafka, registry and outbox relay for this process; started after the app boots, stopped on shutdown. */
@Global()
@Module({})
class MessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: MessagingRuntime,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new MessagingRuntime(
              {
                service: 'billing-reconciliation',
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

/** The typed config, injectable everywhere as BILLING_CONFIG. */
@Global()
@Module({})
class ConfigModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: BILLING_CONFIG, useValue: config }],
      exports: [BILLING_CONFIG],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(billingDataSourceOptions(config)),
        MessagingModule.forRoot(config),
        AuthModule.forRoot(authSettings(config)),
        PlatformHttpModule.forRoot(
          platformHttpOptions(config, [
            // One limit, BILLING_INVOICE_FILE_MAX_BYTES, enforced by the HTTP layer for this route (413
            // PAYLOAD_TOO_LARGE, also for a chunked body, without reading the rest); the import's own check is a backstop.
            { method: 'POST', path: '/invoices', limitBytes: config.BILLING_INVOICE_FILE_MAX_BYTES },
          ]),
        ),
        ConfigModule.forRoot(config),
        AccessLogModule.forRoot(),
        BillingModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
