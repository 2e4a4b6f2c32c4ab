import { randomBytes, randomUUID } from 'node:crypto';
import { AccessSuspensionChangedEvent, topicCatalogue } from '@divit/contracts';
import { AvroSerde, createKafka, createTopicsReady, TopicNames } from '@divit/messaging';
import { RevocationListener } from '../../src/auth/revocation';

/**
 * The revocation listener on the real broker and registry (docs/adr/0030): records it cannot read (not Confluent
 * framed, an unknown schema id) are skipped without stopping it, and the valid states after them are applied; it is
 * ready once it has read what was published before it started. The poison-record tier leaves its per-process
 * groups alone (libs/testing/src/hostile/poison-records.ts); this is where their poison handling is checked.
 */
describe('RevocationListener (real Kafka and registry)', () => {
  const prefix = `it-rl-${randomBytes(3).toString('hex')}-`;
  const topics = new TopicNames(topicCatalogue, prefix);
  const topic = topics.name('registrationAccessSuspensions');
  const kafka = createKafka({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    clientId: prefix,
  });
  const serde = new AvroSerde({
    registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    autoRegister: true,
  });
  const listeners: RevocationListener[] = [];

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    await admin.disconnect();
  });

  afterAll(async () => {
    await Promise.all(listeners.map((l) => l.stop()));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('skips unreadable records, applies the valid ones after them, and is ready once caught up', async () => {
    const organisationId = randomUUID();
    const suspended = {
      scope: 'ORGANISATION' as const,
      scopeId: organisationId,
      organisationId,
      suspendedFrom: Date.now() - 1_000,
      tokensIssuedBefore: null,
      reason: 'agreement ended',
      changedAt: Date.now(),
    };
    const valid = await serde.encode(topic, AccessSuspensionChangedEvent, suspended);
    const unknownSchemaId = Buffer.from(valid);
    unknownSchemaId.writeInt32BE(987_654_321, 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: `ORGANISATION:${organisationId}`, value: Buffer.from('not the Confluent wire format') },
        { key: `ORGANISATION:${organisationId}`, value: unknownSchemaId },
        { key: `ORGANISATION:${organisationId}`, value: valid },
      ],
    });
    await producer.disconnect();

    const listener = new RevocationListener({ kafka, serde, topics, service: 'spec', topicPrefix: prefix });
    listeners.push(listener);
    void listener.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      listener.whenReady(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('not ready within 30 s')), 30_000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect(listener.ready).toBe(true);
    expect(listener.list.size).toBe(1);
    expect(listener.list.refusal({ org: organisationId, iat: Math.floor(Date.now() / 1000) })).toMatchObject({
      scope: 'ORGANISATION',
      reason: 'agreement ended',
    });
    expect(listener.list.refusal({ org: randomUUID(), iat: Math.floor(Date.now() / 1000) })).toBeNull();
  });
});
