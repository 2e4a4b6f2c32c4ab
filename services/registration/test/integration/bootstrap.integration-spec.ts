import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { topicCatalogue } from '@divit/contracts';
import { createKafka, createTopicsReady, TopicNames } from '@divit/messaging';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import { bootstrapService, LocalTokenIssuer, MessagingRuntime } from '@divit/service-kit';
import { eventually } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import { loadRegistrationConfig } from '../../src/config/registration.config';
import { registrationDataSourceOptions } from '../../src/database/data-source';
import { ERASURE_CONSUMER_GROUP } from '../../src/erasure/owned-categories';

/**
 * Issue 13 item 9b: after a crash a service opened its HTTP port only after its consumers had rejoined
 * their groups (~26 s unreachable). Here a group join is held open on purpose: another member of the
 * registration's erasure group is busy with a message and does not rejoin, so the coordinator keeps the
 * rebalance open. The service started with bootstrapService must listen anyway: live 200, ready 503
 * naming the group; ready 200 once the join completes.
 */
describe('registration: bootstrapService listens before Kafka consumers join (real PostgreSQL, Kafka, registry)', () => {
  const prefix = `it-regboot-${randomBytes(3).toString('hex')}-`;
  const topics = new TopicNames(topicCatalogue, prefix);
  const erasureTopic = topics.name('retentionCleanupErasureCommands');
  const issuer = new LocalTokenIssuer();
  let db: TestDatabase;
  let kafka: Kafka;
  let blocker: Consumer | undefined;
  let app: INestApplication | undefined;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    const seed = loadRegistrationConfig({ KAFKA_TOPIC_PREFIX: prefix });
    db = await createTestDatabase({ prefix: 'registration', options: registrationDataSourceOptions(seed) });
    kafka = createKafka({ brokers: seed.KAFKA_BROKERS, clientId: prefix });
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(
      admin,
      Object.values(topicCatalogue).map((t) => ({
        topic: topics.name(t.key),
        numPartitions: t.partitions,
      })),
    );
    await admin.disconnect();
  });

  afterAll(async () => {
    release();
    await app?.close();
    await blocker?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topicCatalogue).map((t) => topics.name(t.key)) });
    await admin.disconnect();
    await db.drop();
  });

  it('answers /health/live while a consumer group join is still pending, and is ready once it joined', async () => {
    // A member of the service's erasure group that is stuck in a message and will not rejoin for now.
    const held = new Promise<void>((resolve) => (release = resolve));
    let busy = false;
    blocker = kafka.consumer({
      groupId: `${prefix}${ERASURE_CONSUMER_GROUP}`,
      sessionTimeout: 45_000,
      rebalanceTimeout: 60_000,
      maxWaitTimeInMs: 100,
    });
    await blocker.connect();
    await blocker.subscribe({ topics: [erasureTopic], fromBeginning: true });
    await blocker.run({
      eachMessage: async () => {
        busy = true;
        await held;
      },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: erasureTopic, messages: [{ key: 'hold', value: 'not an event' }] });
    await producer.disconnect();
    expect(
      await eventually(() => busy, {
        description: 'busy to satisfy Boolean',
        until: Boolean,
        timeoutMs: 30_000,
      }),
    ).toBe(true);

    const config = loadRegistrationConfig({
      KAFKA_TOPIC_PREFIX: prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      AUTH_JWKS: JSON.stringify(issuer.jwks),
      DB_NAME: db.name,
      DB_USER: 'postgres',
    });
    const started = Date.now();
    let deadline: NodeJS.Timeout | undefined;
    app = await Promise.race([
      bootstrapService({
        service: 'registration',
        config: { PORT: 0, HTTP_HOST: '127.0.0.1' },
        module: AppModule.forRoot(config),
      }),
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new Error('bootstrapService did not listen within 20 s')), 20_000);
      }),
    ]).finally(() => clearTimeout(deadline));
    const url = await app.getUrl();
    expect(Date.now() - started).toBeLessThan(20_000);

    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    const problem = (await ready.json()) as { code: string; detail: string; checks: { messaging: string } };
    expect(problem.code).toBe('NOT_READY');
    expect(problem.checks.messaging).toBe('not-ready');
    expect(problem.detail).toContain(`${prefix}${ERASURE_CONSUMER_GROUP}`);

    release();
    await app.get(MessagingRuntime, { strict: false }).consumersJoined();
    const joined = await fetch(`${url}/health/ready`);
    expect(joined.status).toBe(200);
  });
});
