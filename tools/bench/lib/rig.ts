import { randomBytes } from 'node:crypto';
import { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  AvroSerde,
  createKafka,
  EventDescriptorLike,
  messagingEntities,
  messagingMigrations,
  subjectFor,
  TopicNames,
} from '@divit/messaging';
import { createTestDatabase, postgresOptions, TestDatabase } from '@divit/persistence';
import { BenchOptions } from './options';
import { sleep } from './stats';

/** Benchmark-only Avro schema (never part of the topic catalogue); `sentAtMs` carries the send time. */
export const benchEventSchema = {
  type: 'record',
  name: 'BenchEvent',
  namespace: 'nl.divit.bench',
  doc: 'Benchmark-only event (tools/bench): a sequence number, the send time and padding to ~100 bytes',
  fields: [
    { name: 'n', type: 'long' },
    { name: 'sentAtMs', type: 'long' },
    { name: 'pad', type: 'string' },
  ],
} as const;

export interface BenchValue {
  n: number;
  sentAtMs: number;
  pad: string;
}

export const BenchEvent = {
  type: 'nl.divit.bench.BenchEvent' as const,
  topic: 'benchEvents',
  schema: benchEventSchema,
} as EventDescriptorLike<'nl.divit.bench.BenchEvent', BenchValue>;

/** 84 characters: with the 5-byte Confluent header and the varints a framed value is ~100 bytes. */
export const PAD = 'x'.repeat(84);

export function benchValue(n: number, sentAtMs = Date.now()): BenchValue {
  return { n, sentAtMs, pad: PAD };
}

export function benchKey(n: number): string {
  return `k${n % 1000}`;
}

export const benchCatalogue = {
  benchEvents: { name: 'bench.events' },
  benchDlq: { name: 'bench.dlq' },
};

/**
 * Everything one benchmark run creates (topics, consumer groups, databases, registry subjects), with a unique
 * prefix, and the clean-up that removes it again (also on failure or Ctrl-C).
 */
export class BenchRig {
  readonly runId = randomBytes(3).toString('hex');
  readonly kafka: Kafka;
  readonly serde: AvroSerde;
  private readonly topicsCreated: string[] = [];
  private readonly groups: string[] = [];
  private readonly subjects = new Set<string>();
  private readonly databases: TestDatabase[] = [];
  private readonly running = new Set<() => Promise<void>>();
  /** Creations in progress (a database is only known once its migrations ran); clean-up waits for them. */
  private readonly creating = new Set<Promise<unknown>>();
  private cleaned: Promise<string[]> | undefined;

  constructor(readonly options: BenchOptions) {
    this.kafka = createKafka({ brokers: options.brokers, clientId: `bench-${this.runId}` });
    this.serde = new AvroSerde({ registryUrl: options.registryUrl, autoRegister: true });
  }

  /** A unique prefix per phase, e.g. `bench-3fa9c1-raw-tput-`. */
  prefix(phase: string): string {
    return `bench-${this.runId}-${phase}-`;
  }

  /**
   * Registers how to stop live clients (consumers, producers, relay); returns that stop, to be called once the
   * phase is done. Clean-up (e.g. after Ctrl-C) first stops whatever is still registered, then deletes.
   */
  closer(stop: () => Promise<void>): () => Promise<void> {
    let done: Promise<void> | undefined;
    const once = (): Promise<void> => {
      this.running.delete(once);
      done ??= stop();
      return done;
    };
    this.running.add(once);
    return once;
  }

  group(name: string): string {
    this.groups.push(name);
    return name;
  }

  async createTopics(names: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      this.topicsCreated.push(...names);
      await admin.createTopics({
        waitForLeaders: true,
        topics: names.map((topic) => ({
          topic,
          numPartitions: this.options.partitions,
          replicationFactor: 1,
        })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Topic names for a platform phase, created on the broker. */
  async catalogueTopics(phase: string): Promise<TopicNames> {
    const topics = new TopicNames(benchCatalogue, this.prefix(phase));
    await this.createTopics(Object.keys(benchCatalogue).map((k) => topics.name(k)));
    return topics;
  }

  /** Registers (auto-register) the bench schema for a topic before timing starts; returns the schema id. */
  async schemaId(topic: string): Promise<number> {
    this.subjects.add(subjectFor(topic, BenchEvent.type));
    return this.serde.schemaId(topic, BenchEvent);
  }

  /** A fresh database built by the real messaging migrations, plus the handler's table `bench_applied`. */
  async database(phase: string): Promise<DataSource> {
    const creating = createTestDatabase({
      prefix: `bench_${this.runId}_${phase}`,
      options: postgresOptions({
        host: process.env.PGHOST ?? '127.0.0.1',
        port: Number(process.env.PGPORT ?? 5432),
        database: 'unused',
        username: process.env.PGUSER ?? 'postgres',
        entities: messagingEntities,
        migrations: messagingMigrations,
        poolSize: this.options.poolSize,
        applicationName: 'divit-bench',
      }),
    }).then((created) => {
      this.databases.push(created); // before `creating` settles, so a waiting clean-up sees it
      return created;
    });
    this.creating.add(creating);
    const db = await creating.finally(() => this.creating.delete(creating));
    if (this.cleaned) throw new Error('interrupted');
    await db.dataSource.query(`CREATE TABLE bench_applied (event_id uuid NOT NULL, n bigint NOT NULL)`);
    return db.dataSource;
  }

  /** Idempotent; returns what could not be removed (empty when everything went). */
  cleanup(): Promise<string[]> {
    this.cleaned ??= this.doCleanup();
    return this.cleaned;
  }

  /** A group whose last member only just left can still be "not empty" for a moment: retried a few times. */
  private async deleteGroups(admin: Admin, note: (what: string) => (error: unknown) => void): Promise<void> {
    let left = [...new Set(this.groups)];
    for (let attempt = 1; left.length > 0; attempt++) {
      try {
        await admin.deleteGroups(left);
        return;
      } catch (error) {
        const failed = (error as { groups?: { groupId: string; error?: { type?: string } }[] }).groups;
        const retryable = failed?.filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND') ?? [];
        if (!failed || retryable.length === 0) {
          if (!failed) note('delete consumer groups')(error);
          return;
        }
        if (attempt >= 5) {
          for (const g of retryable)
            note(`delete consumer group ${g.groupId}`)(new Error(g.error?.type ?? 'failed'));
          return;
        }
        left = retryable.map((g) => g.groupId);
        await sleep(1000);
      }
    }
  }

  private async doCleanup(): Promise<string[]> {
    const problems: string[] = [];
    await Promise.race([Promise.allSettled([...this.creating]), sleep(30_000)]);
    const note = (what: string) => (error: unknown) => {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    };
    for (const stop of [...this.running]) {
      await Promise.race([stop(), sleep(15_000).then(() => Promise.reject(new Error('timed out')))]).catch(
        note('stop clients'),
      );
    }
    for (const db of this.databases) await db.drop().catch(note(`drop database ${db.name}`));
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      if (this.topicsCreated.length > 0)
        await admin.deleteTopics({ topics: this.topicsCreated }).catch(note('delete topics'));
      if (this.groups.length > 0) await this.deleteGroups(admin, note);
    } catch (error) {
      note('kafka admin')(error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    for (const subject of this.subjects) {
      const url = `${this.options.registryUrl}/subjects/${encodeURIComponent(subject)}`;
      try {
        // Confluent semantics: a soft delete first, then the permanent one.
        for (const suffix of ['', '?permanent=true']) {
          const res = await fetch(`${url}${suffix}`, { method: 'DELETE' });
          if (!res.ok && res.status !== 404) throw new Error(`HTTP ${res.status}`);
        }
      } catch (error) {
        note(`delete subject ${subject}`)(error);
      }
    }
    return problems;
  }
}
