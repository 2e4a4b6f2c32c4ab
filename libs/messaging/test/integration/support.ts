import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createTestDatabase, postgresOptions, TestDatabase } from '@divit/persistence';
import {
  AvroSerde,
  createKafka,
  createTopicsReady,
  messagingEntities,
  messagingMigrations,
  TopicNames,
} from '../../src';

export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/** Test-only event schemas: v1 and v2 (v2 adds an optional field) of the same record. */
export const pingV1 = {
  type: 'record',
  name: 'Ping',
  namespace: 'nl.divit.test',
  doc: 'Test event',
  fields: [
    { name: 'n', type: 'int' },
    { name: 'group', type: 'string' },
  ],
} as const;
export const pingV2 = {
  ...pingV1,
  fields: [...pingV1.fields, { name: 'note', type: ['null', 'string'], default: null }],
} as const;

export interface PingV1 {
  n: number;
  group: string;
}
export interface PingV2 extends PingV1 {
  note: string | null;
}

export const PingV1Event = { type: 'nl.divit.test.Ping' as const, topic: 'testEvents', schema: pingV1 } as {
  type: 'nl.divit.test.Ping';
  topic: string;
  schema: unknown;
  __value?: PingV1;
};
export const PingV2Event = { type: 'nl.divit.test.Ping' as const, topic: 'testEvents', schema: pingV2 } as {
  type: 'nl.divit.test.Ping';
  topic: string;
  schema: unknown;
  __value?: PingV2;
};

export const testCatalogue = {
  testEvents: { name: 'test.events' },
  testDlq: { name: 'test.dlq' },
};

export interface TestRig {
  prefix: string;
  kafka: Kafka;
  topics: TopicNames;
  serde: AvroSerde;
  db: TestDatabase;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * A fresh database (built by the real migrations), unique topics and a registry client for one test file.
 * `topicConfig` is applied to every test topic (e.g. a small `max.message.bytes`).
 */
export async function createRig(
  name: string,
  partitions = 3,
  topicConfig: Record<string, string> = {},
): Promise<TestRig> {
  const prefix = `it-${name}-${randomBytes(3).toString('hex')}-`;
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: prefix });
  const topics = new TopicNames(testCatalogue, prefix);
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReady(
    admin,
    Object.keys(testCatalogue).map((k) => ({
      topic: topics.name(k),
      numPartitions: partitions,
      replicationFactor: 1,
      configEntries: Object.entries(topicConfig).map(([name, value]) => ({ name, value })),
    })),
  );
  await admin.disconnect();
  const db = await createTestDatabase({
    prefix: name,
    options: postgresOptions({
      host: '127.0.0.1',
      port: 5432,
      database: 'unused',
      username: 'postgres',
      entities: messagingEntities,
      migrations: messagingMigrations,
    }),
  });
  await db.dataSource.query(`CREATE TABLE applied (event_id text NOT NULL, n int NOT NULL, note text)`);
  const serde = new AvroSerde({ registryUrl: REGISTRY_URL, autoRegister: true });
  return {
    prefix,
    kafka,
    topics,
    serde,
    db,
    dataSource: db.dataSource,
    async close() {
      const a = kafka.admin();
      await a.connect();
      await a
        .deleteTopics({ topics: Object.keys(testCatalogue).map((k) => topics.name(k)) })
        .catch(() => undefined);
      await a.disconnect();
      await db.drop();
      await deleteSubjects(prefix);
    },
  };
}

/**
 * Deletes the rig's schema subjects (`<prefix>test.events-nl.divit.test.Ping`, ...), soft then permanently: the
 * rig's topics are deleted, and a registry collecting thousands of test subjects answered lookups in over 10 s,
 * which stalled consumers' decodes (ServiceTestApp does the same for the services' tests).
 */
export async function deleteSubjects(prefix: string): Promise<void> {
  const base = REGISTRY_URL.replace(/\/$/, '');
  const res = await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(30_000) });
  const subjects = ((await res.json()) as string[]).filter((s) => s.startsWith(prefix));
  for (const subject of subjects) {
    const url = `${base}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
    await fetch(`${url}?permanent=true`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
  }
}

/** Polls until the condition holds or the deadline passes (no fixed sleeps in tests). */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

export async function appliedCounts(dataSource: DataSource): Promise<{ total: number; uniq: number }> {
  const [row] = await dataSource.query<{ total: number; uniq: number }[]>(
    `SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS uniq FROM applied`,
  );
  return row ?? { total: 0, uniq: 0 };
}

export async function topicRecordCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}
