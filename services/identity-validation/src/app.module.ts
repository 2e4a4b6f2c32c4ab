import {
  DynamicModule,
  Global,
  Inject,
  Module,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
  Provider,
  Type,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createPrivateKey } from 'node:crypto';
import { createLogger } from '@divit/observability';
import {
  AuthModule,
  authSettings,
  ErasureModule,
  MessagingRuntime,
  platformHttpOptions,
  PlatformHttpModule,
  ProblemDetailsFilter,
} from '@divit/service-kit';
import { AccessLogModule } from '@divit/access-log';
import { BsnHasher } from './bsn/bsn-hasher';
import { BvBsnHttpAdapter } from './bvbsn/bvbsn-http.adapter';
import { BvBsnPort } from './bvbsn/bvbsn.port';
import { BvBsnSimulator } from './bvbsn/bvbsn.simulator';
import { BvBsnSimulatorController } from './bvbsn/bvbsn-simulator.controller';
import { MutualTlsJsonClient } from './common/mtls-client';
import { IDV_SETTINGS, IdvSettings } from './common/settings';
import { SimulatorAccess, SimulatorTokenGuard } from './common/simulator-access';
import {
  bsnHashKeys,
  IdentityValidationConfig,
  readPem,
  readSettingFile,
} from './config/identity-validation.config';
import { identityValidationDataSourceOptions } from './database/data-source';
import { dvmgVerificationKey } from './dvmg/dvmg-dataset';
import { DvmgHttpAdapter } from './dvmg/dvmg-http.adapter';
import { DvmgPort, DvmgTrustStore } from './dvmg/dvmg.port';
import { DatabaseSimulatedSessionStore, DvmgSimulator } from './dvmg/dvmg.simulator';
import { DvmgSimulatorController } from './dvmg/dvmg-simulator.controller';
import { identityValidationErasure } from './erasure/owned-categories';
import { PlatformEventsConsumer } from './platform-events/platform-events.consumer';
import { PlatformEventsService } from './platform-events/platform-events.service';
import { IdentityEvents } from './sharing-sessions/identity.events';
import { SessionLifecycle } from './sharing-sessions/session-lifecycle';
import { SessionSweeper } from './sharing-sessions/session-sweeper';
import {
  DvmgDeliveriesController,
  SharingSessionsController,
} from './sharing-sessions/sharing-sessions.controller';
import { SharingSessionsService } from './sharing-sessions/sharing-sessions.service';

export const IDENTITY_VALIDATION_CONFIG = Symbol('IDENTITY_VALIDATION_CONFIG');

/** Kafka, registry and outbox relay for this process; started after the app boots, stopped on shutdown. */
@Global()
@Module({})
class MessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  static forRoot(config: IdentityValidationConfig): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: MessagingRuntime,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new MessagingRuntime(
              {
                service: 'identity-validation',
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
 * The government adapters chosen by configuration: the labelled SIMULATORs (DVMG_MODE / BVBSN_MODE =
 * simulator, with a warning at boot) or the real mutual-TLS HTTP adapters behind the same ports. The
 * simulators' HTTP endpoints are mounted only with SIMULATOR_ENDPOINTS_ENABLED=true, behind SIMULATOR_TOKEN.
 */
function governmentAdapters(config: IdentityValidationConfig): {
  providers: Provider[];
  controllers: Type[];
} {
  const logger = createLogger('GovernmentAdapters');
  const providers: Provider[] = [];
  const controllers: Type[] = [];
  const configuredKey = readPem(config.DVMG_PUBLIC_KEY, config.DVMG_PUBLIC_KEY_FILE, 'DVMG_PUBLIC_KEY');
  const endpoints = config.SIMULATOR_ENDPOINTS_ENABLED && config.SIMULATOR_TOKEN !== undefined;
  const access = endpoints ? new SimulatorAccess(config.SIMULATOR_TOKEN!) : undefined;
  if (access) providers.push({ provide: SimulatorAccess, useValue: access }, SimulatorTokenGuard);

  if (config.DVMG_MODE === 'simulator') {
    const simulatorKey = config.DVMG_SIMULATOR_PRIVATE_KEY_FILE
      ? createPrivateKey(
          readSettingFile(config.DVMG_SIMULATOR_PRIVATE_KEY_FILE, 'DVMG_SIMULATOR_PRIVATE_KEY_FILE'),
        )
      : undefined;
    const baseUrl = config.DVMG_SIMULATOR_BASE_URL ?? `http://127.0.0.1:${config.PORT}`;
    logger.warn(
      'DvMG SIMULATOR in use (DVMG_MODE=simulator): MijnOverheid is simulated; NOT for production',
      {
        verificationKey: configuredKey ? 'DVMG_PUBLIC_KEY' : 'the simulator’s own generated public key',
        endpoints: endpoints ? 'mounted, behind SIMULATOR_TOKEN' : 'not mounted',
      },
    );
    providers.push(
      {
        provide: DvmgSimulator,
        inject: [DataSource],
        // The simulated MijnOverheid keeps its sessions in this service's database, as the real one keeps
        // them on its side: a restart of this service loses none (table simulator_dvmg_sessions).
        useFactory: (dataSource: DataSource) =>
          new DvmgSimulator(
            baseUrl,
            simulatorKey,
            new DatabaseSimulatedSessionStore(dataSource),
            access ? (sessionId) => access.redirectQuery(sessionId) : undefined,
          ),
      },
      { provide: DvmgPort, useExisting: DvmgSimulator },
      // Local development: the simulator hands its public key to the verifier unless a key is configured.
      {
        provide: DvmgTrustStore,
        inject: [DvmgSimulator],
        useFactory: (simulator: DvmgSimulator) =>
          new DvmgTrustStore(configuredKey ? dvmgVerificationKey(configuredKey) : simulator.publicKey),
      },
    );
    if (endpoints) controllers.push(DvmgSimulatorController);
  } else {
    const client = new MutualTlsJsonClient({
      baseUrl: config.DVMG_BASE_URL!,
      cert: readSettingFile(config.DVMG_TLS_CERT_FILE!, 'DVMG_TLS_CERT_FILE'),
      key: readSettingFile(config.DVMG_TLS_KEY_FILE!, 'DVMG_TLS_KEY_FILE'),
      ca: readSettingFile(config.DVMG_TLS_CA_FILE!, 'DVMG_TLS_CA_FILE'),
      timeoutMs: 10_000,
    });
    providers.push(
      { provide: DvmgPort, useValue: new DvmgHttpAdapter(client) },
      { provide: DvmgTrustStore, useValue: new DvmgTrustStore(dvmgVerificationKey(configuredKey!)) },
    );
  }

  if (config.BVBSN_MODE === 'simulator') {
    const simulator = new BvBsnSimulator({
      latencyMs: config.BVBSN_SIMULATOR_LATENCY_MS,
      errorRate: config.BVBSN_SIMULATOR_ERROR_RATE,
      failNextCalls: 0,
    });
    logger.warn(
      'BV BSN SIMULATOR in use (BVBSN_MODE=simulator): BV BSN is simulated with fictional test persons; NOT for production',
    );
    providers.push(
      { provide: BvBsnSimulator, useValue: simulator },
      { provide: BvBsnPort, useValue: simulator },
    );
    if (endpoints) controllers.push(BvBsnSimulatorController);
  } else {
    const client = new MutualTlsJsonClient({
      baseUrl: config.BVBSN_BASE_URL!,
      cert: readSettingFile(config.BVBSN_TLS_CERT_FILE!, 'BVBSN_TLS_CERT_FILE'),
      key: readSettingFile(config.BVBSN_TLS_KEY_FILE!, 'BVBSN_TLS_KEY_FILE'),
      ca: readSettingFile(config.BVBSN_TLS_CA_FILE!, 'BVBSN_TLS_CA_FILE'),
      timeoutMs: config.BVBSN_TIMEOUT_MS,
    });
    providers.push({ provide: BvBsnPort, useValue: new BvBsnHttpAdapter(client) });
  }
  return { providers, controllers };
}

@Module({})
export class AppModule {
  static forRoot(config: IdentityValidationConfig): DynamicModule {
    const { keys, activeKeyId } = bsnHashKeys(config);
    const settings: IdvSettings = {
      sessionTimeoutSeconds: config.SESSION_TIMEOUT_SECONDS,
      identityDataTtlSeconds: config.IDENTITY_DATA_TTL_SECONDS,
      sweepIntervalMs: config.SWEEP_INTERVAL_MS,
      returnUrl: config.RETURN_URL ?? null,
      dvmgSimulatorDeliveryUrl: config.DVMG_SIMULATOR_DELIVERY_URL ?? null,
    };
    const government = governmentAdapters(config);
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(identityValidationDataSourceOptions(config)),
        MessagingModule.forRoot(config),
        AccessLogModule.forRoot(),
        AuthModule.forRoot(authSettings(config)),
        PlatformHttpModule.forRoot(platformHttpOptions(config)),
        ErasureModule.forOwner(identityValidationErasure),
      ],
      controllers: [SharingSessionsController, DvmgDeliveriesController, ...government.controllers],
      providers: [
        { provide: IDENTITY_VALIDATION_CONFIG, useValue: config },
        { provide: IDV_SETTINGS, useValue: settings },
        { provide: BsnHasher, useValue: new BsnHasher(keys, activeKeyId) },
        ...government.providers,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        IdentityEvents,
        SessionLifecycle,
        SharingSessionsService,
        SessionSweeper,
        PlatformEventsService,
        PlatformEventsConsumer,
      ],
    };
  }
}
