import { SpanKind, trace } from '@opentelemetry/api';
import { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
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
 * the relay polls every `pollIntervalMs` while it re-opens it); `leading` whether this relay holds the relay lock
 * (one replica per database publishes; the others try again every `pollIntervalMs`). `failed`: the publish loop ended unexpectedly
 * (`reason`). `stopped`: not started, or stopped.
 */
export type RelayState =
  | { status: 'running'; listening: boolean; leading: boolean }
  | { status: 'failed'; listening: boolean; reason: string }
  | { status: 'stopped'; listening: false };

/** `application_name` of the relay's LISTEN session, to find it in pg_stat_activity. */
export const OUTBOX_LISTENER_APPLICATION_NAME = 'divit-outbox-relay';
/** `application_name` of the session that holds the relay lock and reads and deletes rows while it leads. */
export const OUTBOX_LEADER_APPLICATION_NAME = 'divit-outbox-relay-leader';

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

/**
 * The session-level advisory lock the leading relay of a database holds for as long as it leads (one active
 * relay, strict order). A session holding it keeps every relay of the database from leading.
 */
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
 * batch: delivery is at-least-once and consumers deduplicate by event id. Several replicas may run: the one
 * whose session holds the relay lock leads and publishes, so per-key order holds; the others take over
 * within `pollIntervalMs` of its session ending (ADR 0037). The leader reads the next batch and deletes the
 * previous one while a send is in flight.
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
  private stopWake: (() => void) | undefined;
  /** The session holding the relay lock while this relay leads. */
  private leaderClient: Client | undefined;
  private leading = false;
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
    this.stopWake?.();
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
      ? { status: 'running', listening: this.listening, leading: this.leading }
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
      if (!this.leaderClient) {
        let leader: boolean;
        try {
          leader = await this.becomeLeader();
        } catch (error) {
          this.logger.warn('outbox relay could not open its leader session; will retry', {
            error: error instanceof Error ? error.message : String(error),
          });
          await this.sleep(this.errorBackoffMs);
          continue;
        }
        // Another replica leads: try again after one poll interval (the fail-over bound), not at every notification.
        if (!leader) {
          await this.sleep(this.pollIntervalMs, false);
          continue;
        }
      }
      try {
        await this.lead();
      } catch (error) {
        this.logger.error('outbox batch failed; will retry', error);
        await this.dropLeadership();
        await this.sleep(this.errorBackoffMs);
      }
    }
    await this.dropLeadership();
  }

  /** Sleeps `ms`; a notification (when `wakeable`) or stop() ends it early. */
  private sleep(ms: number, wakeable = true): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = wakeable ? done : undefined;
      this.stopWake = done;
    }).then(() => {
      this.wake = undefined;
      this.stopWake = undefined;
    });
  }

  /**
   * Opens the leader session and tries to take the session-level relay lock. The session runs with
   * `synchronous_commit = off`: a delete lost in a PostgreSQL crash only re-sends rows the consumers' inbox drops.
   */
  private async becomeLeader(): Promise<boolean> {
    const client = new Client({
      ...pgConfig(this.options.dataSource),
      application_name: OUTBOX_LEADER_APPLICATION_NAME,
    });
    let lost = false;
    client.on('error', () => {
      lost = true;
    });
    try {
      await client.connect();
      const rows = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        RELAY_LOCK_ID,
      ]);
      if (!rows.rows[0]?.locked || lost) {
        await client.end().catch(() => undefined);
        return false;
      }
      await client.query('SET synchronous_commit = off');
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    client.removeAllListeners('error');
    // The session ending (PostgreSQL restart, terminated backend) ends the leadership; the next query fails.
    client.on('error', (error) =>
      this.logger.warn('outbox relay leader session lost', { error: error.message }),
    );
    this.leaderClient = client;
    this.leading = true;
    return true;
  }

  private async dropLeadership(): Promise<void> {
    const client = this.leaderClient;
    this.leaderClient = undefined;
    this.leading = false;
    if (!client) return;
    // Ending the session releases the lock; unlock first so a follower need not wait for the backend to exit.
    await client.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK_ID]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  /**
   * Publishes while this relay leads: the next batch is read, and the previous one deleted, while a send is in
   * flight. A batch is sent only after the previous one was acknowledged (per-partition order), and its rows are
   * deleted only after their own acknowledgement. Returns when the relay stops; throws on a failed read, send or
   * delete (the caller gives up the leadership, waits and starts again from the rows still in the table).
   */
  private async lead(): Promise<void> {
    const client = this.leaderClient;
    const producer = this.producer;
    if (!client || !producer) throw new Error('relay not started');
    let sending: { rows: OutboxRow[]; sent: Promise<void> } | undefined;
    let deleting: Promise<void> = Promise.resolve();
    try {
      while (this.running) {
        this.pendingWake = false;
        const exclude = sending ? sending.rows.map((r) => r.id) : [];
        const next = await this.readBatch(client, exclude);
        const messages = next.length > 0 ? await this.toTopicMessages(client, next) : undefined;
        if (sending) {
          await sending.sent;
          const acknowledged = sending.rows;
          sending = undefined;
          await deleting; // one delete at a time on the session
          deleting = this.deleteRows(client, acknowledged);
        }
        if (messages) {
          sending = { rows: next, sent: this.send(producer, messages, next.length) };
          // Keeps an unobserved rejection from being reported before it is awaited above.
          sending.sent.catch(() => undefined);
          continue;
        }
        await deleting;
        if (!this.pendingWake) await this.sleep(this.pollIntervalMs);
      }
      if (sending) {
        await sending.sent;
        await deleting;
        deleting = this.deleteRows(client, sending.rows);
        sending = undefined;
      }
      await deleting;
    } finally {
      // A failure leaves nothing running against the session that is about to be closed.
      await Promise.allSettled([sending?.sent, deleting]);
    }
  }

  private async readBatch(client: Client, exclude: string[]): Promise<OutboxRow[]> {
    // Rows of the batch in flight are still in the table; rows committed late with a lower seq are picked up.
    const result = await client.query<OutboxRow>(
      exclude.length === 0
        ? `SELECT id, seq, topic, message_key, event_type, schema_fingerprint, payload, headers FROM outbox_messages ORDER BY seq LIMIT $1`
        : `SELECT id, seq, topic, message_key, event_type, schema_fingerprint, payload, headers FROM outbox_messages WHERE id <> ALL($2::uuid[]) ORDER BY seq LIMIT $1`,
      exclude.length === 0 ? [this.batchSize] : [this.batchSize, exclude],
    );
    return result.rows;
  }

  private async send(producer: Producer, topicMessages: TopicMessages[], count: number): Promise<void> {
    await this.tracer.startActiveSpan(
      'outbox publish',
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': count },
      },
      async (span) => {
        try {
          await producer.sendBatch({ topicMessages, acks: -1 });
        } finally {
          span.end();
        }
      },
    );
  }

  private async deleteRows(client: Client, rows: OutboxRow[]): Promise<void> {
    const seqs = rows.map((r) => BigInt(r.seq));
    const low = seqs.reduce((a, b) => (b < a ? b : a));
    const high = seqs.reduce((a, b) => (b > a ? b : a));
    // Bounded by seq so PostgreSQL uses the seq index even with a large backlog.
    await client.query(`DELETE FROM outbox_messages WHERE seq BETWEEN $2 AND $3 AND id = ANY($1::uuid[])`, [
      rows.map((r) => r.id),
      low.toString(),
      high.toString(),
    ]);
    this.published += rows.length;
  }

  private async toTopicMessages(client: Client, rows: OutboxRow[]): Promise<TopicMessages[]> {
    const missing = [...new Set(rows.map((r) => r.schema_fingerprint))].filter((f) => !this.schemas.has(f));
    if (missing.length > 0) {
      const found = await client.query<{ fingerprint: string; schema: string }>(
        `SELECT fingerprint, schema FROM outbox_schemas WHERE fingerprint = ANY($1)`,
        [missing],
      );
      for (const f of found.rows) this.schemas.set(f.fingerprint, f.schema);
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
