/**
 * A relay + consumer process for the crash test: started with a database name and a topic prefix, it
 * relays the outbox and applies events until killed. Prints one JSON line with its stats on SIGTERM.
 */
import { DataSource } from 'typeorm';
import { postgresOptions } from '@divit/persistence';
import { AvroSerde, createKafka, EventConsumer, messagingEntities, OutboxRelay, TopicNames } from '../../src';
import { KAFKA_BROKERS, PingV1Event, REGISTRY_URL, testCatalogue } from './support';

let chunkCommits = 0;

async function main(): Promise<void> {
  const [database, prefix, role] = process.argv.slice(2) as [string, string, string];
  const dataSource = new DataSource(
    postgresOptions({
      host: '127.0.0.1',
      port: 5432,
      database,
      username: 'postgres',
      entities: messagingEntities,
      migrations: [],
    }),
  );
  await dataSource.initialize();
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: `${prefix}worker` });
  const serde = new AvroSerde({ registryUrl: REGISTRY_URL, autoRegister: true });
  const topics = new TopicNames(testCatalogue, prefix);
  const relay = new OutboxRelay({ dataSource, kafka, serde, batchSize: 200 });
  const consumer = new EventConsumer({
    kafka,
    serde,
    topics,
    dataSource,
    groupId: `${prefix}crash`,
    descriptors: [PingV1Event] as const,
    deadLetterTopic: 'testDlq',
    transactionBatchSize: 50,
    // PIPELINED=1: apply while fetching (ADR 0039); KILL_AFTER_CHUNK_COMMITS=n: SIGKILL this process after the n-th
    // chunk's database commit, before its offset is committed.
    pipelined: process.env.PIPELINED === '1',
    afterChunkCommit: () => {
      const limit = Number(process.env.KILL_AFTER_CHUNK_COMMITS ?? 0);
      if (limit > 0 && ++chunkCommits >= limit) process.kill(process.pid, 'SIGKILL');
    },
    handle: async (event, em) => {
      await em.query(`INSERT INTO applied (event_id, n) VALUES ($1, $2)`, [event.id, event.value.n]);
    },
  });
  if (role.includes('relay')) await relay.start();
  if (role.includes('consumer')) await consumer.start();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  process.on('SIGTERM', () => {
    void (async () => {
      await relay.stop();
      await consumer.stop();
      process.stdout.write(`${JSON.stringify({ relayPublished: relay.published, ...consumer.stats })}\n`);
      await dataSource.destroy();
      process.exit(0);
    })();
  });
}

void main();
