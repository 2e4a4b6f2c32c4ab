import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { createLogger, scrubString } from '@divit/observability';
import { AvroSerde, EventDescriptorLike } from '../avro-serde';
import { errorCode, isInfrastructureError, isPermanent, MessagingError } from '../errors';
import { CE, extractTraceContext, headersToStrings, StringHeaders } from '../headers';
import { TopicNames } from '../topic-names';
import { deadLetterHeaders } from '../dlq/dead-letter';

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
  partitionsConsumedConcurrently?: number;
  /** Messages processed in one database transaction on the fast path. */
  transactionBatchSize?: number;
  fromBeginning?: boolean;
}

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
  readonly stats: ConsumerStats = { processed: 0, duplicates: 0, skipped: 0, deadLettered: 0, retries: 0 };

  constructor(private readonly options: EventConsumerOptions<D>) {
    if (!options.handle === !options.handleBatch)
      throw new Error('EventConsumer needs exactly one of handle and handleBatch');
    this.readers = new Map(options.descriptors.map((d) => [d.type, d]));
    this.retry = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5000, ...options.retry };
  }

  get subscribedTopics(): string[] {
    return [...new Set(this.options.descriptors.map((d) => this.options.topics.name(d.topic)))];
  }

  async start(): Promise<void> {
    const { kafka, groupId } = this.options;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 250,
    });
    this.consumer = consumer;
    this.joined = new Promise((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.logger.error('consumer crashed', event.payload.error, { groupId, restart: event.payload.restart });
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: this.subscribedTopics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Resolves once the consumer has joined its group and been assigned partitions. */
  async ready(): Promise<void> {
    await this.joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
  }

  private async onBatch(payload: EachBatchPayload) {
    const { batch } = payload;
    const resolveOffset = (offset: string) => payload.resolveOffset(offset);
    const heartbeat = () => payload.heartbeat();
    const size = this.options.transactionBatchSize ?? 200;
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
    const params: unknown[] = [];
    const rows = events.map((e) => {
      const n = params.length;
      params.push(e.id, this.options.groupId, e.type, e.topic, e.partition, e.offset);
      return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`;
    });
    const inserted = await em.query<{ event_id: string }[]>(
      `INSERT INTO inbox_messages (event_id, consumer_group, event_type, topic, partition, "offset")
       VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING RETURNING event_id`,
      params,
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
    // Awaited before the offset is committed: if the dead-letter write fails, the message is redelivered.
    await producer.send({
      topic: this.options.topics.name(this.options.deadLetterTopic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: deadLetterHeaders(message.headers, {
            reason,
            errorCode: code,
            originalTopic: topic,
            originalPartition: partition,
            originalOffset: message.offset,
            consumerGroup: this.options.groupId,
            attempts,
            failedAt: new Date(),
          }),
        },
      ],
    });
    this.stats.deadLettered++;
    this.logger.warn('event dead-lettered', { topic, partition, offset: message.offset, code, attempts });
  }
}
