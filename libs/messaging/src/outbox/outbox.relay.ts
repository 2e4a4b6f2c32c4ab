import { SpanKind, trace } from '@opentelemetry/api';
import { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { Client, ClientConfig } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { createLogger } from '@divit/observability';
import { AvroSerde } from '../avro-serde';
import { frame } from '../wire-format';
import { OUTBOX_CHANNEL } from './outbox.writer';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  kafka: Kafka;
  serde: AvroSerde;
  batchSize?: number;
  /** Fallback poll when no notification arrives (notifications make the normal path immediate). */
  pollIntervalMs?: number;
  /** Delay before retrying after a failed batch (broker or registry down). */
  errorBackoffMs?: number;
  /** Backoff for re-opening the LISTEN connection after it was lost: doubles from `initialMs` up to `maxMs`. */
  listenRetry?: { initialMs?: number; maxMs?: number };
}

/**
 * `running`: the publish loop runs; `listening` tells whether the LISTEN connection is open (when it is not,
 * the relay polls every `pollIntervalMs` while it re-opens it). `failed`: the publish loop ended unexpectedly
 * (`reason`). `stopped`: not started, or stopped.
 */
export type RelayState =
  | { status: 'running'; listening: boolean }
  | { status: 'failed'; listening: boolean; reason: string }
  | { status: 'stopped'; listening: false };

/** `application_name` of the relay's LISTEN session, to find it in pg_stat_activity. */
export const OUTBOX_LISTENER_APPLICATION_NAME = 'divit-outbox-relay';

interface OutboxRow {
  id: string;
  seq: string;
  topic: string;
  message_key: string;
  event_type: string;
  schema_fingerprint: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/** Advisory lock id shared by all relay instances of one database: one active relay, strict order. */
/** The advisory lock one relay per database holds while it publishes a batch (exported for tests that pause the relay). */
export const OUTBOX_RELAY_LOCK_ID = 7346152001;
const RELAY_LOCK_ID = OUTBOX_RELAY_LOCK_ID;

/**
 * The relay's producer does not retry inside kafkajs; a failed batch is rolled back and sent again whole.
 * kafkajs 2.2.4 (src/producer/sendMessages.js) retries a batch spread over several brokers by sending again
 * only to brokers that have not answered yet: when a partition's leader moves to a broker that already
 * accepted another part of the batch, that partition's messages are never sent and the send still resolves.
 * The fault tier (tools/faults) lost an AllocationRecorded event that way while a broker was being stopped.
 * kafkajs refuses an idempotent producer without retries, and idempotence only guards kafkajs' own retries,
 * so the relay's producer is not idempotent; one request in flight keeps each partition in order. Rows sent
 * twice carry the same event id; the consumers' inbox drops the second copy.
 */
export const RELAY_PRODUCER_RETRY = { retries: 0 } as const;
export const RELAY_PRODUCER_CONFIG = {
  idempotent: false,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  retry: RELAY_PRODUCER_RETRY,
} as const;

/**
 * Publishes outbox rows to Kafka in insertion order and deletes them once the broker acknowledged
 * (acks=all, one request in flight). A crash between send and delete re-sends the
 * batch: delivery is at-least-once and consumers deduplicate by event id. Several replicas may run;
 * a transaction-scoped advisory lock lets one publish at a time so per-key order holds.
 */
export class OutboxRelay {
  private readonly logger = createLogger('OutboxRelay');
  private readonly tracer = trace.getTracer('@divit/messaging');
  /** Writer schemas by fingerprint (immutable, so cached forever). */
  private readonly schemas = new Map<string, string>();
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly errorBackoffMs: number;
  private producer: Producer | undefined;
  private listener: Client | undefined;
  private listening = false;
  /** When the current LISTEN outage began (0: no outage), and the attempts made to end it. */
  private listenLostAt = 0;
  private listenAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pendingWake = false;
  /** Rows published since start (for metrics and tests). */
  published = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.errorBackoffMs = options.errorBackoffMs ?? 1000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.producer = this.options.kafka.producer({ ...RELAY_PRODUCER_CONFIG });
    await this.producer.connect();
    await this.listen();
    this.running = true;
    this.failure = undefined;
    this.loop = this.run().catch((error: unknown) => {
      this.failure = error instanceof Error ? error.message : String(error);
      this.logger.error('outbox relay loop ended unexpectedly', error);
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.notify();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    this.listening = false;
    await listener?.end().catch(() => undefined);
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  state(): RelayState {
    if (this.failure !== undefined)
      return { status: 'failed', listening: this.listening, reason: this.failure };
    return this.running
      ? { status: 'running', listening: this.listening }
      : { status: 'stopped', listening: false };
  }

  /** Opens a connection and LISTENs on the outbox channel; when it is lost, re-opens it with backoff. */
  private async listen(): Promise<void> {
    const client = new Client({
      ...pgConfig(this.options.dataSource),
      application_name: OUTBOX_LISTENER_APPLICATION_NAME,
    });
    client.on('notification', () => this.notify());
    // A terminated session emits 'error' and then 'end'; either means the same.
    client.on('error', (error) => this.listenerLost(client, error));
    client.on('end', () => this.listenerLost(client, undefined));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      if (this.listener === client) this.listener = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listening = true;
  }

  private listenerLost(client: Client, error: Error | undefined): void {
    if (this.listener !== client) return; // already handled, or stopping
    this.listener = undefined;
    this.listening = false;
    void client.end().catch(() => undefined);
    if (!this.running) return;
    // Logged once per outage, not per reconnect attempt.
    this.listenLostAt = Date.now();
    this.listenAttempts = 0;
    this.logger.warn('outbox LISTEN connection lost; polling until it is re-opened', {
      pollIntervalMs: this.pollIntervalMs,
      ...(error ? { error: error.message } : {}),
    });
    this.scheduleListen();
  }

  private scheduleListen(): void {
    const initial = this.options.listenRetry?.initialMs ?? 250;
    const max = this.options.listenRetry?.maxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** Math.min(this.listenAttempts, 16));
    this.reconnectTimer = setTimeout(() => void this.relisten(), delay);
  }

  private async relisten(): Promise<void> {
    if (!this.running) return;
    this.listenAttempts++;
    try {
      await this.listen();
    } catch (error) {
      this.logger.debug('outbox LISTEN connection not re-opened yet', {
        attempts: this.listenAttempts,
        error: error instanceof Error ? error.message : String(error),
      });
      if (this.running) this.scheduleListen();
      return;
    }
    if (!this.running) {
      const listener = this.listener;
      this.listener = undefined;
      this.listening = false;
      await listener?.end().catch(() => undefined);
      return;
    }
    this.logger.info('outbox LISTEN connection re-opened', {
      outageMs: Date.now() - this.listenLostAt,
      attempts: this.listenAttempts,
    });
    this.listenLostAt = 0;
    // Rows committed while nobody listened were not announced: look now instead of at the next poll.
    this.notify();
  }

  private notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        this.pendingWake = false;
        published = await this.publishBatch();
      } catch (error) {
        this.logger.error('outbox batch failed; will retry', error);
        await this.sleep(this.errorBackoffMs);
        continue;
      }
      if (published < this.batchSize && !this.pendingWake) await this.sleep(this.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = undefined;
    });
  }

  /** Publishes at most one batch. Returns the number of rows published (0 if another relay holds the lock). */
  async publishBatch(): Promise<number> {
    const producer = this.producer;
    if (!producer) throw new Error('relay not started');
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const locks = await runner.manager.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock($1) AS locked`,
        [RELAY_LOCK_ID],
      );
      const lock = locks[0];
      if (!lock?.locked) {
        await runner.rollbackTransaction();
        return 0;
      }
      const rows = await runner.manager.query<OutboxRow[]>(
        `SELECT id, seq, topic, message_key, event_type, schema_fingerprint, payload, headers FROM outbox_messages ORDER BY seq LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      await this.tracer.startActiveSpan(
        'outbox publish',
        {
          kind: SpanKind.PRODUCER,
          attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': rows.length },
        },
        async (span) => {
          try {
            await producer.sendBatch({
              topicMessages: await this.toTopicMessages(runner.manager, rows),
              acks: -1,
            });
          } finally {
            span.end();
          }
        },
      );
      // Bounded by seq so PostgreSQL uses the seq index even with a large backlog.
      await runner.manager.query(
        `DELETE FROM outbox_messages WHERE seq BETWEEN $2 AND $3 AND id = ANY($1::uuid[])`,
        [rows.map((r) => r.id), rows[0]?.seq, rows[rows.length - 1]?.seq],
      );
      await runner.commitTransaction();
      this.published += rows.length;
      return rows.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async toTopicMessages(em: EntityManager, rows: OutboxRow[]): Promise<TopicMessages[]> {
    const missing = [...new Set(rows.map((r) => r.schema_fingerprint))].filter((f) => !this.schemas.has(f));
    if (missing.length > 0) {
      const found = await em.query<{ fingerprint: string; schema: string }[]>(
        `SELECT fingerprint, schema FROM outbox_schemas WHERE fingerprint = ANY($1)`,
        [missing],
      );
      for (const f of found) this.schemas.set(f.fingerprint, f.schema);
    }
    // Schema ids resolved once per distinct (topic, type, writer schema) of the batch, not awaited per row.
    const { serde } = this.options;
    const unresolved = new Map<string, OutboxRow>();
    for (const row of rows) {
      if (serde.knownSchemaId(row.topic, row.event_type, row.schema_fingerprint) !== undefined) continue;
      unresolved.set(`${row.topic}|${row.event_type}|${row.schema_fingerprint}`, row);
    }
    await Promise.all(
      [...unresolved.values()].map((row) => {
        const schema = this.schemas.get(row.schema_fingerprint);
        if (!schema)
          throw new Error(
            `outbox row ${row.id} references writer schema ${row.schema_fingerprint}, which is missing`,
          );
        return serde.schemaIdFor(row.topic, row.event_type, row.schema_fingerprint, schema);
      }),
    );
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const id = serde.knownSchemaId(row.topic, row.event_type, row.schema_fingerprint);
      if (id === undefined) throw new Error(`no schema id for outbox row ${row.id}`); // resolved just above
      let list = byTopic.get(row.topic);
      if (!list) {
        list = [];
        byTopic.set(row.topic, list);
      }
      list.push({ key: row.message_key, value: frame(id, row.payload), headers: row.headers });
    }
    return [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages }));
  }
}

function pgConfig(dataSource: DataSource): ClientConfig {
  const o = dataSource.options as {
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    database?: string;
  };
  return {
    ...(o.host ? { host: o.host } : {}),
    ...(o.port ? { port: o.port } : {}),
    ...(o.username ? { user: o.username } : {}),
    ...(typeof o.password === 'string' ? { password: o.password } : {}),
    ...(typeof o.database === 'string' ? { database: o.database } : {}),
  };
}
