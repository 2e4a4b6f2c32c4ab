import {
  Attributes,
  context,
  Counter,
  metrics,
  ObservableGauge,
  ObservableResult,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ConfigResourceTypes,
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Message,
  Producer,
} from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { createLogger, scrubString } from '@divit/observability';
import { AvroSerde, EventDescriptorLike } from '../avro-serde';
import { errorCode, isInfrastructureError, isPermanent, MessagingError } from '../errors';
import { CE, extractTraceContext, headersToStrings, StringHeaders } from '../headers';
import { TopicNames } from '../topic-names';
import { buildDeadLetter, DEFAULT_MAX_MESSAGE_BYTES } from '../dlq/dead-letter';

/** The discriminated union of events a consumer receives, derived from its descriptors. */
export type MessageOf<D extends readonly EventDescriptorLike[]> = {
  [K in keyof D]: D[K] extends EventDescriptorLike<infer T, infer V> ? { type: T; value: V } : never;
}[number];

export type ConsumedEvent<M extends { type: string; value: unknown }> = M & {
  id: string;
  key: string | null;
  source: string;
  time: Date;
  topic: string;
  partition: number;
  offset: string;
  headers: StringHeaders;
};

export interface RetryPolicy {
  /** Attempts in total before dead-lettering a transiently failing message. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface EventConsumerOptions<D extends readonly EventDescriptorLike[]> {
  kafka: Kafka;
  serde: AvroSerde;
  topics: TopicNames;
  dataSource: DataSource;
  groupId: string;
  /** Reader schemas: the event types this consumer handles; their topics are subscribed. */
  descriptors: D;
  /** Catalogue key of this service's dead-letter topic. */
  deadLetterTopic: string;
  /** Runs inside the transaction that also marks the event processed. */
  handle?: (event: ConsumedEvent<MessageOf<D>>, em: EntityManager) => Promise<void>;
  /**
   * Instead of `handle`: receives all new events of a chunk at once (in order, redelivered copies already
   * removed), in the same transaction as their inbox marks, so a high-volume consumer can write them with
   * set-based statements. When the chunk fails, each event is retried alone as a batch of one.
   */
  handleBatch?: (events: ConsumedEvent<MessageOf<D>>[], em: EntityManager) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  /**
   * Opt-out of the inbox (docs/adr/0038), for a handler whose writes are idempotent on a natural key of the
   * event, so applying a redelivered event again changes nothing: name that key and how the handler keeps it
   * (e.g. `usage_records.usage_id: INSERT … ON CONFLICT (usage_id) DO NOTHING`). Without an inbox mark the
   * consumer saves one statement and one index entry per event; copies of one event within a chunk are still
   * applied once, and redelivered copies are counted as processed, not as duplicates. Leave it unset (the
   * default: every event marked in the inbox in the handler's transaction) unless the handler is idempotent.
   */
  idempotentWithoutInbox?: { naturalKey: string };
  /**
   * Apply a partition's events while the next fetch runs (docs/adr/0039). kafkajs fetches again only when the
   * batch handlers of the last fetch have returned; pipelined, the handler decodes a chunk, waits for the
   * partition's previous chunk and starts applying this one without waiting for it, so fetching, decoding and
   * the database work of one partition overlap, with at most one chunk per partition applying. Offsets are then
   * committed by the consumer itself, after each chunk's database commit (kafkajs' auto-commit is off). Default
   * false.
   */
  pipelined?: boolean;
  /**
   * Called after a chunk's database commit and before its offset is committed (pipelined consumers only): for
   * metrics and for the crash test that kills a consumer between the two.
   */
  afterChunkCommit?: (topic: string, partition: number, lastOffset: string) => void | Promise<void>;
  partitionsConsumedConcurrently?: number;
  /**
   * Most messages processed in one database transaction on the fast path (one inbox statement each).
   * Default with `handleBatch`: all messages of a fetched batch (one partition's part of one fetch, bounded by
   * `fetch.maxBytesPerPartition`) in one transaction. Default with `handle`: {@link DEFAULT_HANDLE_TRANSACTION_SIZE},
   * as a per-event handler costs a round trip or more per event and a transaction of a whole MiB-scale batch
   * would go long without a heartbeat. A smaller cap means shorter transactions and a cheaper fallback when a
   * chunk fails (it is then applied message by message), at the cost of more commits.
   */
  transactionBatchSize?: number;
  /** Fetch sizes (kafkajs consumer options); see {@link DEFAULT_FETCH}. */
  fetch?: Partial<FetchOptions>;
  fromBeginning?: boolean;
  /**
   * Largest record batch the dead-letter topic accepts. Default: the topic's `max.message.bytes`, read from
   * the broker on the first dead letter (1 MiB if it cannot be read). A dead letter that would not fit is
   * written as a reference to the original record instead (see `buildDeadLetter`).
   */
  deadLetterMaxBytes?: number;
  /** Backoff before restarting after a crash with a retriable error: doubles from `initialMs` up to `maxMs`. */
  restart?: { initialMs?: number; maxMs?: number };
}

/**
 * What a consumer is doing: `running` (member of its group, or rejoining it), `crashed` (kafkajs stopped it
 * with `reason`; `restarting` tells whether a restart is scheduled or it stays down until stopped and started
 * again), `stopped` (not started, or stopped).
 */
export type ConsumerState =
  { status: 'running' } | { status: 'crashed'; reason: string; restarting: boolean } | { status: 'stopped' };

/** OpenTelemetry instrument names (meter `@divit/messaging`); attribute `consumer_group` on each. */
export const CONSUMER_METRICS = {
  crashes: 'divit_messaging_consumer_crashes_total',
  deadLetters: 'divit_messaging_dead_letters_total',
  up: 'divit_messaging_consumer_up',
} as const;

export interface FetchOptions {
  /** Most bytes one fetch returns per partition (kafkajs `maxBytesPerPartition`; its default is 1 MiB). */
  maxBytesPerPartition: number;
  /** Most bytes one fetch returns in all (kafkajs `maxBytes`; its default is 10 MiB). */
  maxBytes: number;
  /** Longest wait of a fetch for `minBytes` (kafkajs `maxWaitTimeInMs`). */
  maxWaitTimeInMs: number;
  /** Least bytes a fetch waits for (up to `maxWaitTimeInMs`) before it returns (kafkajs `minBytes`). */
  minBytes: number;
}

/**
 * MiB-scale fetches: a partition's backlog arrives in a few large batches, each applied in one transaction
 * (docs/adr/0028). 4 MiB per partition is ~14,000 records of ~300 bytes (value + CloudEvents headers);
 * 16 MiB in all bounds the memory of a fetch across partitions. A quiet topic still answers after 250 ms.
 */
export const DEFAULT_FETCH: FetchOptions = {
  maxBytesPerPartition: 4 * 1024 * 1024,
  maxBytes: 16 * 1024 * 1024,
  maxWaitTimeInMs: 250,
  minBytes: 1,
};

/** Default transaction size of a consumer with a per-event `handle` (see `transactionBatchSize`). */
export const DEFAULT_HANDLE_TRANSACTION_SIZE = 1000;

export interface ConsumerStats {
  processed: number;
  duplicates: number;
  skipped: number;
  deadLettered: number;
  retries: number;
}

interface Prepared {
  message: KafkaMessage;
  headers: StringHeaders;
  event?: ConsumedEvent<{ type: string; value: unknown }>;
  /** Decoding failed; the single-message path retries or dead-letters it. */
  failed: boolean;
}

/**
 * Consumes Avro events idempotently: the handler's effect and the inbox mark (event id + group) commit in
 * one transaction, so redelivery and replay are harmless. Batches are applied in one transaction on the
 * fast path; if that fails, the batch is retried message by message, transient failures with exponential
 * backoff, and a message that still fails (or fails permanently) is written to the dead-letter topic with
 * the reason before its offset is committed. A partition is never blocked forever and nothing is dropped.
 */
export class EventConsumer<D extends readonly EventDescriptorLike[]> {
  private readonly logger = createLogger('EventConsumer');
  private readonly tracer = trace.getTracer('@divit/messaging');
  private readonly readers: Map<string, EventDescriptorLike>;
  private readonly retry: RetryPolicy;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private joined: Promise<void> | undefined;
  private current: ConsumerState = { status: 'stopped' };
  private stopping = false;
  /** Crashes since the consumer last ran for `STABLE_MS`; drives the restart backoff. */
  private consecutiveCrashes = 0;
  private lastCrashAt = 0;
  private lastCountedCrash: unknown;
  private cancelBackoff: (() => void) | undefined;
  private deadLetterLimit: Promise<number> | undefined;
  private instruments: { crashes: Counter; deadLetters: Counter; up: ObservableGauge } | undefined;
  private readonly observeUp = (result: ObservableResult) => {
    result.observe(this.current.status === 'running' ? 1 : 0, { consumer_group: this.options.groupId });
  };
  readonly stats: ConsumerStats = { processed: 0, duplicates: 0, skipped: 0, deadLettered: 0, retries: 0 };
  /** Pipelined: the last chunk started per `topic|partition` (settles when it is applied and its offset committed). */
  private readonly partitionTails = new Map<string, Promise<void>>();

  constructor(private readonly options: EventConsumerOptions<D>) {
    if (!options.handle === !options.handleBatch)
      throw new Error('EventConsumer needs exactly one of handle and handleBatch');
    if (options.idempotentWithoutInbox !== undefined && !options.idempotentWithoutInbox.naturalKey?.trim())
      throw new Error('idempotentWithoutInbox needs the natural key the handler is idempotent on');
    this.readers = new Map(options.descriptors.map((d) => [d.type, d]));
    this.retry = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5000, ...options.retry };
  }

  get subscribedTopics(): string[] {
    return [...new Set(this.options.descriptors.map((d) => this.options.topics.name(d.topic)))];
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** The consumer's state, for readiness checks (`MessagingRuntime.status()`). */
  state(): ConsumerState {
    return { ...this.current };
  }

  async start(): Promise<void> {
    const { kafka, groupId } = this.options;
    this.stopping = false;
    this.startMetrics();
    if (this.options.idempotentWithoutInbox)
      this.logger.info('consumer without inbox marks: its handler is idempotent on a natural key', {
        groupId,
        naturalKey: this.options.idempotentWithoutInbox.naturalKey,
      });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    const fetch = { ...DEFAULT_FETCH, ...this.options.fetch };
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: fetch.maxWaitTimeInMs,
      minBytes: fetch.minBytes,
      maxBytesPerPartition: fetch.maxBytesPerPartition,
      maxBytes: fetch.maxBytes,
      // kafkajs asks this before restarting after a crash with a retriable error (non-retriable ones never
      // restart): the consumer reports the crash, waits with backoff, then lets kafkajs rejoin the group.
      retry: { retries: 5, restartOnFailure: (error) => this.beforeRestart(error) },
    });
    this.consumer = consumer;
    this.joined = new Promise((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.stopping) return;
      if (this.current.status === 'crashed') this.logger.info('consumer running again', { groupId });
      this.current = { status: 'running' };
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.logger.error('consumer crashed', error, { groupId, restart });
      if (!restart && !this.stopping) this.crashed(error, false);
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: this.subscribedTopics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      // Pipelined consumers commit each chunk's offset themselves after its database commit.
      autoCommit: !this.options.pipelined,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
    // run() resolves once the group is joined, unless joining failed (then the CRASH handler has said so).
    if (this.current.status === 'stopped') this.current = { status: 'running' };
  }

  /** Resolves once the consumer has joined its group and been assigned partitions. */
  async ready(): Promise<void> {
    await this.joined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelBackoff?.();
    // Pipelined: let the chunks being applied finish (their offsets are not committed once kafkajs stops, so they
    // are delivered again to the next owner, whose inbox skips them).
    await Promise.allSettled([...this.partitionTails.values()]);
    this.partitionTails.clear();
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
    this.current = { status: 'stopped' };
    this.instruments?.up.removeCallback(this.observeUp);
    this.instruments = undefined;
  }

  /** Instruments are created at start, so a MeterProvider registered before that is used. */
  private startMetrics(): void {
    if (this.instruments) return;
    const meter = metrics.getMeter('@divit/messaging');
    const up = meter.createObservableGauge(CONSUMER_METRICS.up, {
      description: '1 while the consumer is running in its group, 0 when crashed or stopped',
    });
    up.addCallback(this.observeUp);
    this.instruments = {
      crashes: meter.createCounter(CONSUMER_METRICS.crashes, {
        description: 'Consumer crashes (kafkajs stopped the consumer), restarted or not',
        unit: '{crash}',
      }),
      deadLetters: meter.createCounter(CONSUMER_METRICS.deadLetters, {
        description: 'Records written to the dead-letter topic (truncated=true: as a reference)',
        unit: '{record}',
      }),
      up,
    };
  }

  /** Records a crash once: state, counter, log. */
  private crashed(error: unknown, restarting: boolean): void {
    const reason = scrubString(error instanceof Error ? error.message : String(error));
    this.current = { status: 'crashed', reason, restarting };
    if (this.lastCountedCrash === error) return;
    this.lastCountedCrash = error;
    this.instruments?.crashes.add(1, { consumer_group: this.options.groupId });
  }

  /** kafkajs `restartOnFailure`: report, wait with backoff, then restart unless stopping meanwhile. */
  private async beforeRestart(error: Error): Promise<boolean> {
    if (this.stopping) return false;
    const now = Date.now();
    if (now - this.lastCrashAt > STABLE_MS) this.consecutiveCrashes = 0;
    this.lastCrashAt = now;
    this.consecutiveCrashes++;
    this.crashed(error, true);
    const initial = this.options.restart?.initialMs ?? 1000;
    const max = this.options.restart?.maxMs ?? 60_000;
    const delay = Math.min(max, initial * 2 ** Math.min(this.consecutiveCrashes - 1, 16));
    this.logger.warn('consumer crashed with a retriable error; restarting after backoff', {
      groupId: this.options.groupId,
      delayMs: delay,
      consecutiveCrashes: this.consecutiveCrashes,
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.cancelBackoff = done;
    });
    this.cancelBackoff = undefined;
    return !this.stopping;
  }

  /**
   * Pipelined batch handling: decode a chunk, wait for the partition's previous chunk, start applying this one
   * and go on; the batch's offsets are resolved when every chunk has been started, which lets kafkajs fetch the
   * next batch (with auto-commit off, a resolved offset only moves the fetch position). Each chunk commits its
   * offset after its database commit. A chunk that fails (only when the consumer stops or loses the partition:
   * the one-by-one path otherwise retries or dead-letters) leaves its offset uncommitted, and the partition is
   * sought back to it so nothing after it is applied before it.
   */
  private async onBatchPipelined(payload: EachBatchPayload) {
    const { batch } = payload;
    const tailKey = `${batch.topic}|${batch.partition}`;
    const active = () => !this.stopping && payload.isRunning() && !payload.isStale();
    const size =
      this.options.transactionBatchSize ??
      (this.options.handleBatch ? Math.max(1, batch.messages.length) : DEFAULT_HANDLE_TRANSACTION_SIZE);
    let started: string | undefined;
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!active()) break;
      const chunk = batch.messages.slice(i, i + size);
      const prepared = await Promise.all(chunk.map((m) => this.prepare(batch.topic, batch.partition, m)));
      const previous = this.partitionTails.get(tailKey);
      if (
        previous &&
        !(await previous.then(
          () => true,
          () => false,
        ))
      ) {
        // The previous chunk failed and sought the partition back to itself: this batch is stale.
        break;
      }
      if (!active()) break;
      const first = chunk[0]!.offset;
      const last = chunk[chunk.length - 1]!.offset;
      const work = this.applyChunk(batch.topic, batch.partition, prepared, payload, active).then(
        async () => {
          await this.options.afterChunkCommit?.(batch.topic, batch.partition, last);
          await this.consumer
            ?.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
            ])
            .catch((error: unknown) =>
              // Not committed (rebalance, stopping): the next owner gets these again and its inbox skips them.
              this.logger.warn('offset not committed after the chunk was applied', {
                topic: batch.topic,
                partition: batch.partition,
                offset: last,
                code: errorCode(error),
              }),
            );
        },
        (error: unknown) => {
          this.logger.warn('chunk not applied; the partition goes back to it', {
            topic: batch.topic,
            partition: batch.partition,
            offset: first,
            code: errorCode(error),
          });
          if (!this.stopping)
            try {
              // Batches fetched before the seek are stale; the next fetch starts at this chunk again.
              this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: first });
            } catch {
              // not assigned any more: the next owner starts from the committed offset
            }
          // A handler already waiting on this chunk sees the failure; the next batch (after the seek) starts anew.
          if (this.partitionTails.get(tailKey) === work) this.partitionTails.delete(tailKey);
          throw error;
        },
      );
      // Observed by the next chunk of the partition or by stop(); never an unhandled rejection.
      work.catch(() => undefined);
      this.partitionTails.set(tailKey, work);
      started = last;
    }
    if (started !== undefined) payload.resolveOffset(started);
  }

  /** One chunk of a pipelined partition: in one transaction, else message by message. Throws if not applied. */
  private async applyChunk(
    topic: string,
    partition: number,
    prepared: Prepared[],
    payload: EachBatchPayload,
    active: () => boolean,
  ): Promise<void> {
    if (prepared.every((p) => !p.failed)) {
      const done = await this.applyAll(prepared).then(
        () => true,
        (error: unknown) => {
          this.logger.warn('batch transaction failed; applying its messages one by one', {
            topic,
            partition,
            size: prepared.length,
            code: errorCode(error),
          });
          return false;
        },
      );
      if (done) {
        await payload.heartbeat().catch(() => undefined);
        return;
      }
    }
    for (const p of prepared) {
      if (!active())
        throw new Error('the consumer stopped or lost the partition before the chunk was applied');
      await this.processOne(topic, partition, p, () => payload.heartbeat(), active);
    }
  }

  private async onBatch(payload: EachBatchPayload) {
    if (this.options.pipelined) return this.onBatchPipelined(payload);
    const { batch } = payload;
    const resolveOffset = (offset: string) => payload.resolveOffset(offset);
    const heartbeat = () => payload.heartbeat();
    const size =
      this.options.transactionBatchSize ??
      (this.options.handleBatch ? Math.max(1, batch.messages.length) : DEFAULT_HANDLE_TRANSACTION_SIZE);
    for (let i = 0; i < batch.messages.length; i += size) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(i, i + size);
      const prepared = await Promise.all(chunk.map((m) => this.prepare(batch.topic, batch.partition, m)));
      let done = false;
      if (prepared.every((p) => !p.failed)) {
        // On failure the whole chunk rolls back and is redone message by message below.
        done = await this.applyAll(prepared).then(
          () => true,
          (error: unknown) => {
            this.logger.warn('batch transaction failed; applying its messages one by one', {
              topic: batch.topic,
              partition: batch.partition,
              size: prepared.length,
              code: errorCode(error),
            });
            return false;
          },
        );
      }
      if (!done) {
        for (const p of prepared) {
          await this.processOne(
            batch.topic,
            batch.partition,
            p,
            heartbeat,
            () => payload.isRunning() && !payload.isStale(),
          );
          resolveOffset(p.message.offset);
        }
      } else {
        const last = chunk[chunk.length - 1];
        if (last) resolveOffset(last.offset);
      }
      await heartbeat();
      await payload.commitOffsetsIfNecessary();
    }
  }

  /** Decodes a message; decode problems are left for the single-message path to report. */
  private async prepare(topic: string, partition: number, message: KafkaMessage): Promise<Prepared> {
    const headers = headersToStrings(message.headers);
    try {
      const event = await this.decode(topic, partition, message, headers);
      return { message, headers, failed: false, ...(event ? { event } : {}) };
    } catch {
      return { message, headers, failed: true };
    }
  }

  private async decode(
    topic: string,
    partition: number,
    message: KafkaMessage,
    headers: StringHeaders,
  ): Promise<ConsumedEvent<{ type: string; value: unknown }> | undefined> {
    const decoded = await this.options.serde.decode(message.value, this.readers);
    if (decoded.value === undefined) return undefined; // an event type this consumer does not handle
    const id = headers[CE.id];
    if (!id) throw new MessagingError('MISSING_EVENT_ID', `record has no ${CE.id} header`);
    return {
      type: decoded.type,
      value: decoded.value,
      id,
      key: message.key ? message.key.toString('utf8') : null,
      source: headers[CE.source] ?? '',
      time: new Date(headers[CE.time] ?? Number(message.timestamp)),
      topic,
      partition,
      offset: message.offset,
      headers,
    };
  }

  /** Fast path: all decodable messages of a chunk in one transaction. Throws if anything fails. */
  private async applyAll(prepared: Prepared[]): Promise<void> {
    const events = prepared.flatMap((p) => (p.event ? [p.event] : []));
    const skipped = prepared.length - events.length;
    let applied = 0;
    await this.options.dataSource.transaction(async (em) => {
      applied = 0;
      const fresh = await this.markProcessed(em, events);
      // A redelivered copy of the same event within one chunk applies once.
      const toApply = events.filter((event) => fresh.delete(event.id));
      await this.apply(toApply, em);
      applied = toApply.length;
    });
    this.stats.processed += applied;
    this.stats.duplicates += events.length - applied;
    this.stats.skipped += skipped;
  }

  private async processOne(
    topic: string,
    partition: number,
    prepared: Prepared,
    heartbeat: () => Promise<void>,
    active: () => boolean,
  ) {
    const { message, headers } = prepared;
    let outageAttempts = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const event = prepared.event ?? (await this.decode(topic, partition, message, headers));
        if (!event) {
          this.stats.skipped++;
          return;
        }
        let applied = false;
        await this.options.dataSource.transaction(async (em) => {
          const fresh = await this.markProcessed(em, [event]);
          if (!fresh.has(event.id)) return;
          await this.apply([event], em);
          applied = true;
        });
        if (applied) this.stats.processed++;
        else this.stats.duplicates++;
        return;
      } catch (error) {
        if (isInfrastructureError(error)) {
          // Not the message's fault: wait for the dependency instead of dead-lettering a good message.
          // The offset is not committed, so if the consumer stops meanwhile the message is redelivered.
          attempt--;
          outageAttempts++;
          this.stats.retries++;
          const delay = Math.min(
            this.retry.maxDelayMs,
            this.retry.initialDelayMs * 2 ** Math.min(outageAttempts, 10),
          );
          this.logger.warn('dependency unavailable; waiting before retrying', {
            topic,
            partition,
            offset: message.offset,
            outageAttempts,
            delayMs: delay,
            code: errorCode(error),
          });
          if (!active()) throw error;
          await new Promise((r) => setTimeout(r, delay));
          await heartbeat();
          continue;
        }
        if (this.stopping || !active()) {
          // Shutting down (or the partition was taken away): a failure now may be the shutdown itself, so the
          // message is neither dead-lettered nor committed; the next owner of the partition processes it.
          throw error;
        }
        if (isPermanent(error) || attempt >= this.retry.attempts) {
          await this.deadLetter(topic, partition, message, error, attempt);
          return;
        }
        this.stats.retries++;
        const delay = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (attempt - 1));
        this.logger.warn('event handling failed; retrying', {
          topic,
          partition,
          offset: message.offset,
          attempt,
          delayMs: delay,
          code: errorCode(error),
        });
        await new Promise((r) => setTimeout(r, delay));
        await heartbeat();
      }
    }
  }

  private async apply(
    events: ConsumedEvent<{ type: string; value: unknown }>[],
    em: EntityManager,
  ): Promise<void> {
    const typed = events as ConsumedEvent<MessageOf<D>>[];
    const { handle, handleBatch } = this.options;
    if (handleBatch) {
      if (typed.length === 0) return;
      // One span for the batch, parented by its first event's trace context.
      await this.withSpan(events[0]!, () => handleBatch(typed, em));
      return;
    }
    for (const event of typed) await this.withSpan(event, () => handle!(event, em));
  }

  private async markProcessed(
    em: EntityManager,
    events: ConsumedEvent<{ type: string; value: unknown }>[],
  ): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    // Inbox opted out: the handler is idempotent on a natural key; only copies within this chunk are dropped.
    if (this.options.idempotentWithoutInbox) return new Set(events.map((e) => e.id));
    // One statement whatever the number of events: five arrays instead of six parameters per event.
    const inserted = await em.query<{ event_id: string }[]>(
      `INSERT INTO inbox_messages (event_id, consumer_group, event_type, topic, partition, "offset")
       SELECT e.event_id, $1, e.event_type, e.topic, e.partition, e.offset
       FROM unnest($2::varchar[], $3::varchar[], $4::varchar[], $5::int[], $6::bigint[])
            AS e(event_id, event_type, topic, partition, "offset")
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [
        this.options.groupId,
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.topic),
        events.map((e) => e.partition),
        events.map((e) => e.offset),
      ],
    );
    return new Set(inserted.map((r) => r.event_id));
  }

  private withSpan(
    event: ConsumedEvent<{ type: string; value: unknown }>,
    fn: () => Promise<void>,
  ): Promise<void> {
    const parent = extractTraceContext(event.headers);
    return context.with(parent, () =>
      this.tracer.startActiveSpan(
        `${event.topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': event.topic,
            'messaging.message.id': event.id,
            'messaging.consumer.group.name': this.options.groupId,
            'cloudevents.event_type': event.type,
          },
        },
        async (span) => {
          try {
            await fn();
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode(error) });
            throw error;
          } finally {
            span.end();
          }
        },
      ),
    );
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    attempts: number,
  ) {
    const producer = this.producer;
    if (!producer) throw new Error('consumer not started');
    const reason = scrubString(error instanceof Error ? error.message : String(error));
    const code = errorCode(error);
    const info = {
      reason,
      errorCode: code,
      originalTopic: topic,
      originalPartition: partition,
      originalOffset: message.offset,
      consumerGroup: this.options.groupId,
      attempts,
      failedAt: new Date(),
    };
    const dlqTopic = this.options.topics.name(this.options.deadLetterTopic);
    const send = (m: Message) => producer.send({ topic: dlqTopic, acks: -1, messages: [m] });
    // Awaited before the offset is committed: if the dead-letter write fails, the message is redelivered.
    let letter = buildDeadLetter(message, info, await this.deadLetterMaxBytes(dlqTopic));
    try {
      await send(letter.message);
    } catch (sendError) {
      if (!isTooLarge(sendError)) throw sendError;
      // The topic's limit is smaller than we knew (changed since it was read): re-read it, send a reference.
      this.deadLetterLimit = undefined;
      letter = buildDeadLetter(message, info, await this.deadLetterMaxBytes(dlqTopic), true);
      await send(letter.message);
    }
    this.stats.deadLettered++;
    const truncated = letter.truncated !== null;
    this.instruments?.deadLetters.add(1, {
      consumer_group: this.options.groupId,
      topic,
      error_code: code,
      truncated,
    } satisfies Attributes);
    this.logger.warn('event dead-lettered', {
      topic,
      partition,
      offset: message.offset,
      code,
      attempts,
      ...(truncated ? { truncated: letter.truncated, valueBytes: message.value?.length ?? 0 } : {}),
    });
  }

  /** The dead-letter topic's `max.message.bytes`, read once from the broker (or the configured cap). */
  private deadLetterMaxBytes(dlqTopic: string): Promise<number> {
    if (this.options.deadLetterMaxBytes) return Promise.resolve(this.options.deadLetterMaxBytes);
    this.deadLetterLimit ??= this.describeMaxMessageBytes(dlqTopic);
    return this.deadLetterLimit;
  }

  private async describeMaxMessageBytes(dlqTopic: string): Promise<number> {
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: dlqTopic, configNames: ['max.message.bytes'] }],
      });
      const value = described.resources[0]?.configEntries.find(
        (e) => e.configName === 'max.message.bytes',
      )?.configValue;
      const bytes = Number(value);
      if (Number.isSafeInteger(bytes) && bytes > 0) return bytes;
      throw new Error(`max.message.bytes of ${dlqTopic} is '${value}'`);
    } catch (error) {
      this.deadLetterLimit = undefined; // try again on the next dead letter
      this.logger.warn('cannot read the dead-letter topic limit; assuming the Kafka default', {
        topic: dlqTopic,
        maxBytes: DEFAULT_MAX_MESSAGE_BYTES,
        code: errorCode(error),
      });
      return DEFAULT_MAX_MESSAGE_BYTES;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** A consumer that ran this long without crashing starts its restart backoff from the beginning again. */
const STABLE_MS = 5 * 60_000;

/** The broker refused a record as larger than the topic's max.message.bytes. */
function isTooLarge(error: unknown): boolean {
  let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}
