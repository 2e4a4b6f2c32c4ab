import { randomBytes } from 'node:crypto';
import { BillingErasureCompletedEvent, topicCatalogue } from '@divit/contracts';
import { createKafka, createTopicsReady, messagingEntities, messagingMigrations } from '@divit/messaging';
import { createTestDatabase, postgresOptions, TestDatabase } from '@divit/persistence';
import { MessagingRuntime } from '../../src/messaging-runtime';

const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

async function eventually<T>(probe: () => T, accept: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let last = probe(); ; last = probe()) {
    if (accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('MessagingRuntime.status()', () => {
  const prefix = `it-rt-${randomBytes(3).toString('hex')}-`;
  const eventTopic = `${prefix}${topicCatalogue.billingReconciliationErasures.name}`;
  const dlqTopic = `${prefix}${topicCatalogue.dlqRetentionCleanup.name}`;
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: prefix });
  let db: TestDatabase;
  let runtime: MessagingRuntime | undefined;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, [
      { topic: eventTopic, numPartitions: 1, replicationFactor: 1 },
      // Misconfigured on purpose: not even a dead letter's metadata fits, so dead-lettering cannot succeed.
      {
        topic: dlqTopic,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: 'max.message.bytes', value: '300' }],
      },
    ]);
    await admin.disconnect();
    db = await createTestDatabase({
      prefix: 'runtime',
      options: postgresOptions({
        host: '127.0.0.1',
        port: 5432,
        database: 'unused',
        username: 'postgres',
        entities: messagingEntities,
        migrations: messagingMigrations,
      }),
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [eventTopic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
    await db.drop();
  });

  it('is ready while consumers and relay run, and reports a crashed consumer as not ready with its reason', async () => {
    runtime = new MessagingRuntime(
      {
        service: 'retention-cleanup',
        brokers: KAFKA_BROKERS,
        registryUrl: REGISTRY_URL,
        topicPrefix: prefix,
        autoRegisterSchemas: true,
      },
      db.dataSource,
    );
    await runtime.startRelay();
    await runtime.startConsumer({
      groupId: 'status',
      descriptors: [BillingErasureCompletedEvent] as const,
      deadLetterTopic: 'dlqRetentionCleanup',
      handle: () => Promise.resolve(),
    });
    // startConsumer returns before the group join (the HTTP port must not wait for it); until then not ready.
    expect(runtime.status()).toEqual({
      ready: false,
      problems: [`consumer group ${prefix}status has not joined yet`],
    });
    await runtime.consumersJoined();
    expect(runtime.status()).toEqual({ ready: true, problems: [] });

    // A poison record whose dead letter cannot be written: the consumer crashes for good (not retriable).
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: eventTopic, messages: [{ key: 'k', value: Buffer.from('not avro') }] });
    await producer.disconnect();

    const status = await eventually(
      () => runtime!.status(),
      (s) => !s.ready,
    );
    expect(status.problems).toEqual([
      expect.stringMatching(
        new RegExp(`^consumer ${prefix}status crashed: even a reference dead letter .* exceeds .*\\(300\\)$`),
      ),
    ]);

    await runtime.stop();
    runtime = undefined;
  });
});
