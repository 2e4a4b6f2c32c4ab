import { randomBytes, randomUUID } from 'node:crypto';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  INestApplication,
  Module,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { BillingErasureCompletedEvent, topicCatalogue } from '@divit/contracts';
import { loadConfig, platformConfigShape } from '@divit/config';
import { createKafka, createTopicsReady, messagingEntities, messagingMigrations } from '@divit/messaging';
import { createTestDatabase, serviceDataSourceOptions, TestDatabase } from '@divit/persistence';
import { DomainError, registerErrorStatuses } from '../../src/domain-error';
import { Public } from '../../src/auth/auth.decorators';
import { configureHttpApp, HTTP_APP_OPTIONS, HttpAppSettings } from '../../src/http/http-app';
import { HTTP_APP_SETTINGS } from '../../src/health/platform-http.module';
import { LocalTokenIssuer } from '../../src/auth/local-token-issuer';
import { MessagingRuntime } from '../../src/messaging-runtime';
import { PlatformModule, SERVICE_CONFIG } from '../../src/platform/platform.module';

const SPEC_CONFIG = Symbol('SPEC_CONFIG');
const SPEC_SETTING = Symbol('SPEC_SETTING');
registerErrorStatuses({ PLATFORM_SPEC_CONFLICT: 409 });

async function eventually<T>(
  probe: () => Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let last = await probe(); ; last = await probe()) {
    if (accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A feature provider as services have them: a consumer started on bootstrap, config and globals injected. */
@Injectable()
class SpecConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(SERVICE_CONFIG) readonly config: unknown,
    @Inject(SPEC_CONFIG) readonly ownConfig: unknown,
    @Inject(SPEC_SETTING) readonly setting: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: 'platform-spec',
      descriptors: [BillingErasureCompletedEvent] as const,
      deadLetterTopic: 'dlqRetentionCleanup',
      handle: () => Promise.resolve(),
    });
  }
}

@Controller('platform-spec')
class SpecController {
  @Public()
  @Get('conflict')
  conflict(): never {
    throw new DomainError('PLATFORM_SPEC_CONFLICT', 'the spec conflicts on purpose', { reason: 'spec' });
  }

  @Get('private')
  private(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [SpecController], providers: [SpecConsumer] })
class SpecFeatureModule {}

/** The smallest access log module: the real one (@divit/access-log) builds on this library. */
@Module({})
class SpecAccessLogModule {}

describe('PlatformModule (real PostgreSQL, Kafka, registry)', () => {
  const prefix = `it-pm-${randomBytes(3).toString('hex')}-`;
  const topics = [
    topicCatalogue.billingReconciliationErasures.name,
    topicCatalogue.dlqRetentionCleanup.name,
    // Every service's guard reads the access suspensions (docs/adr/0030); readiness waits for them.
    topicCatalogue.registrationAccessSuspensions.name,
  ].map((name) => `${prefix}${name}`);
  const kafka = createKafka({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    clientId: prefix,
  });
  const issuer = new LocalTokenIssuer();
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(
      admin,
      topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
    );
    await admin.disconnect();
    const env = {
      KAFKA_TOPIC_PREFIX: prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      AUTH_JWKS: JSON.stringify(issuer.jwks),
      DB_NAME: 'unused',
      DB_USER: 'postgres',
    };
    const schema = z.object({ ...platformConfigShape, DB_NAME: z.string(), DB_USER: z.string() });
    const seed = loadConfig(schema, env);
    const schemaOptions = { entities: messagingEntities, migrations: messagingMigrations };
    db = await createTestDatabase({
      prefix: 'platform_module',
      options: serviceDataSourceOptions('platform-spec', seed, schemaOptions),
    });
    const config = loadConfig(schema, { ...env, DB_NAME: db.name });
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot({
          service: 'retention-cleanup',
          config,
          configToken: SPEC_CONFIG,
          dataSource: serviceDataSourceOptions('platform-spec', config, schemaOptions),
          accessLog: { module: SpecAccessLogModule },
          relayBatchSize: 10,
          globals: [{ provide: SPEC_SETTING, useValue: 'from-globals' }],
        }),
        SpecFeatureModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, ...HTTP_APP_OPTIONS });
    configureHttpApp(app, app.get<HttpAppSettings>(HTTP_APP_SETTINGS, { strict: false }));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    await app.get(MessagingRuntime).consumersJoined();
  });

  afterAll(async () => {
    await app?.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await db?.drop();
  });

  it('provides the config under SERVICE_CONFIG and the service token, and the global providers', () => {
    const consumer = app.get(SpecConsumer);
    expect(consumer.config).toBe(consumer.ownConfig);
    expect(consumer.config).toMatchObject({ KAFKA_TOPIC_PREFIX: prefix });
    expect(consumer.setting).toBe('from-globals');
  });

  it('starts the outbox relay with the application: an event written to the outbox reaches Kafka', async () => {
    const runtime = app.get(MessagingRuntime);
    const dataSource = app.get(DataSource);
    const erasureId = randomUUID();
    await dataSource.transaction((tx) =>
      runtime.outbox.add(tx, BillingErasureCompletedEvent, {
        key: erasureId,
        value: { erasureId, category: 'USAGE_LEDGER', erasedCount: 0, completedAt: Date.now() },
      }),
    );
    // The relay deletes a row once the broker acknowledged it.
    await eventually(
      () => dataSource.query<{ c: number }[]>('SELECT count(*)::int AS c FROM outbox_messages'),
      (rows) => rows[0]?.c === 0,
    );
    const ready = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok', messaging: 'ok' } });
  });

  it('answers errors as problem+json and guards routes with the JWT guard', async () => {
    const conflict = await fetch(`${base}/platform-spec/conflict`);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toContain('application/problem+json');
    expect(await conflict.json()).toMatchObject({ status: 409, code: 'PLATFORM_SPEC_CONFLICT' });

    const anonymous = await fetch(`${base}/platform-spec/private`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    const token = issuer.sign({
      subject: 'spec',
      organisationId: randomUUID(),
      roles: ['platform-operator'],
    });
    const authorised = await fetch(`${base}/platform-spec/private`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(authorised.status).toBe(200);
  });

  it('stops the messaging runtime (consumers, relay) before the data source closes on shutdown', async () => {
    const runtime = app.get(MessagingRuntime);
    const dataSource = app.get(DataSource);
    expect(runtime.status()).toEqual({ ready: true, problems: [] });
    // Records the data source's state when the runtime is told to stop (the real stop still runs).
    const stop = runtime.stop.bind(runtime);
    let dataSourceOpenAtStop: boolean | undefined;
    runtime.stop = () => {
      dataSourceOpenAtStop = dataSource.isInitialized;
      return stop();
    };
    await app.close();
    expect(dataSourceOpenAtStop).toBe(true);
    expect(runtime.status().problems).toEqual([`consumer group ${prefix}platform-spec is stopped`]);
    expect(dataSource.isInitialized).toBe(false);
  });
});
