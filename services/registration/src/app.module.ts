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
import { deadLetterTopicFor } from '@divit/contracts';
import {
  AuthModule,
  authSettings,
  ErasureModule,
  MessagingRuntime,
  platformHttpOptions,
  PlatformHttpModule,
  ProblemDetailsFilter,
} from '@divit/service-kit';
import { RegistrationConfig } from './config/registration.config';
import { registrationDataSourceOptions } from './database/data-source';
import { DossierImportModule } from './dossier-import/dossier-import.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { AllocationsModule } from './allocations/allocations.module';
import { RegistrationsModule } from './registrations/registrations.module';
import { ERASURE_CONSUMER_GROUP, registrationErasure } from './erasure/owned-categories';

export const REGISTRATION_CONFIG = Symbol('REGISTRATION_CONFIG');

/** Kafka, registry and outbox relay for this process; started after the app boots, stopped on shutdown. */
@Global()
@Module({})
class MessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  static forRoot(config: RegistrationConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: MessagingRuntime,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new MessagingRuntime(
              {
                service: 'registration',
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
  static forRoot(config: RegistrationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(registrationDataSourceOptions(config)),
        MessagingModule.forRoot(config),
        AuthModule.forRoot(authSettings(config)),
        PlatformHttpModule.forRoot(
          platformHttpOptions(config, [
            { method: 'POST', path: '/dossier-imports', limitBytes: config.DOSSIER_IMPORT_LIMIT_BYTES },
          ]),
        ),
        AccessLogModule.forRoot(),
        OrganisationsModule,
        AllocationsModule,
        RegistrationsModule,
        DossierImportModule,
        ErasureModule.forOwner(registrationErasure, {
          groupId: ERASURE_CONSUMER_GROUP,
          deadLetterTopic: deadLetterTopicFor.registration,
        }),
      ],
      providers: [
        { provide: REGISTRATION_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
