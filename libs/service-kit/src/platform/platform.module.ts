import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  Inject,
  InjectionToken,
  Module,
  OnApplicationBootstrap,
  Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { createLogger } from '@divit/observability';
import { AuthConfig, AuthModule, authSettings } from '../auth/auth.module';
import { PlatformHttpConfig, PlatformHttpModule, platformHttpOptions } from '../health/platform-http.module';
import { UploadRoute } from '../http/http-app';
import { MessagingRuntime } from '../messaging-runtime';
import { ProblemDetailsFilter } from '../problem-details.filter';
import { REVOCATION_CHECK, RevocationListener } from '../auth/revocation';

/** The platform config keys PlatformModule reads (platformConfigShape in @divit/config). */
export interface PlatformConfig extends AuthConfig, PlatformHttpConfig {
  KAFKA_BROKERS: string[];
  SCHEMA_REGISTRY_URL: string;
  KAFKA_TOPIC_PREFIX: string;
  SCHEMA_AUTO_REGISTER: boolean;
  SERVICE_INSTANCE_ID?: string | undefined;
}

/** The service's whole parsed config, injectable everywhere (also under the service's own token, `configToken`). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');

export interface PlatformModuleOptions<C extends PlatformConfig = PlatformConfig> {
  /** The service name: Kafka client id, outbox event source (`/divit/<service>`). */
  service: string;
  /** The service's parsed config; provided globally as {@link SERVICE_CONFIG} (and `configToken`). */
  config: C;
  /** The service's own injection token for its config (e.g. BILLING_CONFIG), provided globally as well. */
  configToken?: InjectionToken;
  /** The TypeORM options of the service's database (its `database/data-source.ts`). */
  dataSource: DataSourceOptions;
  /**
   * The service's access log, `AccessLogModule.forRoot()` from @divit/access-log (that library builds on this kit's
   * auth outcome sink, so the kit cannot import it itself). Required: every service keeps an access log.
   */
  accessLog: DynamicModule;
  /** Routes that take a larger body than HTTP_BODY_LIMIT_BYTES (uploads), each with its own limit. */
  uploadRoutes?: readonly UploadRoute[];
  /** Outbox rows per produce request of the relay (the relay's default when omitted). */
  relayBatchSize?: number;
  /** Further providers made global with the config (e.g. settings derived from it at boot). */
  globals?: Provider[];
}

/**
 * Everything a service's AppModule used to wire by hand, once:
 * - configuration: the parsed config, global as {@link SERVICE_CONFIG} and the service's own token;
 * - TypeORM (`TypeOrmModule.forRoot` with the service's data source options);
 * - messaging: one {@link MessagingRuntime} per process (Kafka, registry, outbox writer, consumers), the outbox
 *   relay started on application bootstrap and the runtime (relay and consumers) stopped in
 *   `beforeApplicationShutdown`, so graceful shutdown (`enableShutdownHooks` in bootstrapService) drains
 *   consumers before @nestjs/typeorm closes the data source;
 * - authentication: the global JWT guard (AuthModule) from the AUTH_* keys;
 * - the problem+json filter (every error as RFC 9457, validation errors of ZodValidationPipe included);
 * - health (/health/live, /health/ready), GET /metrics and the HTTP stack's settings (PlatformHttpModule);
 * - the access log (the `accessLog` module given).
 *
 * Global, so feature modules inject MessagingRuntime, the DataSource, the config and AccessLogService without
 * importing anything. A service's AppModule imports this and its feature modules only.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('PlatformModule');
  private stopping = false;

  constructor(
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
    @Inject(PLATFORM_OPTIONS) private readonly options: PlatformModuleOptions,
    @Inject(RevocationListener) private readonly revocations: RevocationListener,
  ) {}

  static forRoot<C extends PlatformConfig>(options: PlatformModuleOptions<C>): DynamicModule {
    const { config } = options;
    const configProviders: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: config },
      ...(options.configToken !== undefined ? [{ provide: options.configToken, useValue: config }] : []),
    ];
    const globals = options.globals ?? [];
    const authModule = AuthModule.forRoot(authSettings(config));
    const httpModule = PlatformHttpModule.forRoot(platformHttpOptions(config, options.uploadRoutes ?? []));
    return {
      module: PlatformModule,
      imports: [TypeOrmModule.forRoot(options.dataSource), authModule, httpModule, options.accessLog],
      providers: [
        { provide: PLATFORM_OPTIONS, useValue: options },
        ...configProviders,
        ...globals,
        {
          provide: MessagingRuntime,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new MessagingRuntime(
              {
                service: options.service,
                brokers: config.KAFKA_BROKERS,
                registryUrl: config.SCHEMA_REGISTRY_URL,
                topicPrefix: config.KAFKA_TOPIC_PREFIX,
                autoRegisterSchemas: config.SCHEMA_AUTO_REGISTER,
                ...(config.SERVICE_INSTANCE_ID ? { instanceId: config.SERVICE_INSTANCE_ID } : {}),
              },
              dataSource,
            ),
        },
        {
          provide: RevocationListener,
          inject: [MessagingRuntime],
          useFactory: (runtime: MessagingRuntime) =>
            new RevocationListener({
              kafka: runtime.kafka,
              serde: runtime.serde,
              topics: runtime.topics,
              service: options.service,
              topicPrefix: config.KAFKA_TOPIC_PREFIX,
            }),
        },
        {
          provide: REVOCATION_CHECK,
          inject: [RevocationListener],
          useFactory: (listener: RevocationListener) => listener.list,
        },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
      exports: [
        MessagingRuntime,
        RevocationListener,
        REVOCATION_CHECK,
        ...configProviders.map((p) => (p as { provide: InjectionToken }).provide),
        ...globals.map((p) => (typeof p === 'function' ? p : p.provide)),
        authModule,
        httpModule,
        options.accessLog,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Access suspensions (docs/adr/0030) are read in the background; readiness waits until the ones published
    // before this process started have been read.
    this.runtime.addReadinessCheck(
      'access suspensions',
      () => this.revocations.ready,
      this.revocations.whenReady(),
    );
    void this.revocations.start().catch((error: unknown) => this.revocationsFailed(error));
    await this.runtime.startRelay(
      this.options.relayBatchSize ? { batchSize: this.options.relayBatchSize } : {},
    );
  }

  /** A failed start of the suspensions consumer is retried (the broker may not be up yet). */
  private revocationsFailed(error: unknown): void {
    this.logger.error('the access suspensions could not be read; retrying in 5 s', error);
    setTimeout(() => {
      if (!this.stopping) void this.revocations.restart().catch((e: unknown) => this.revocationsFailed(e));
    }, 5000).unref();
  }

  // Before the application shuts down, not in onApplicationShutdown: @nestjs/typeorm closes the data source in
  // that phase, and a consumer still handling a message would then fail (and once dead-lettered a good event).
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.revocations.stop();
    await this.runtime.stop();
  }
}
