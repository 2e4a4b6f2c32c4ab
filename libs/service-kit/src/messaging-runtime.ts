import { Kafka } from 'kafkajs';
import { createLogger } from '@divit/observability';
import { DataSource } from 'typeorm';
import { topicCatalogue } from '@divit/contracts';
import {
  AvroSerde,
  ConsumerLagMetrics,
  createKafka,
  EventConsumer,
  EventConsumerOptions,
  EventDescriptorLike,
  OutboxBacklogMetrics,
  OutboxRelay,
  OutboxWriter,
  TopicNames,
} from '@divit/messaging';

export interface MessagingSettings {
  service: string;
  brokers: string[];
  registryUrl: string;
  topicPrefix: string;
  autoRegisterSchemas: boolean;
  instanceId?: string;
}

/** What readiness needs to know about this process's messaging. */
export interface MessagingStatus {
  ready: boolean;
  /** Why not ready, one line each (group ids, never payloads). */
  problems: string[];
}

interface StartingConsumer {
  groupId: string;
  topics: string[];
  state: 'joining' | 'joined' | 'stopped';
  started: Promise<void>;
  consumer: Pick<EventConsumer<readonly EventDescriptorLike[]>, 'state' | 'stop'>;
}

/**
 * The messaging parts one service process needs, created once: Kafka client, Avro serde, topic names,
 * the outbox writer, the relay for the events the service produces, and its consumers.
 *
 * Consumers join their groups in the background: {@link startConsumer} returns at once, so a service's
 * `onApplicationBootstrap` does not hold up the HTTP listener while a group rebalances (after a crash a
 * rejoin waits out the old member's session, ~30 s). Until every consumer has joined, {@link status}
 * reports not ready, so /health/ready answers 503 while /health/live answers 200.
 *
 * Every service gets the backlog metrics on GET /metrics from here (docs/observability.md): the outbox backlog
 * and its oldest row's age once the relay has started (and still while the relay is down), and the lag of
 * each consumer group it started, per topic and partition.
 */
export class MessagingRuntime {
  readonly kafka: Kafka;
  readonly serde: AvroSerde;
  readonly topics: TopicNames;
  readonly outbox: OutboxWriter;
  private relay: OutboxRelay | undefined;
  private readonly consumers: StartingConsumer[] = [];
  private readonly readinessChecks: { name: string; ready: () => boolean; started?: Promise<void> }[] = [];
  private stopping = false;
  private readonly stopped = new AbortController();
  private readonly logger = createLogger('MessagingRuntime');
  private readonly outboxMetrics: OutboxBacklogMetrics;
  private readonly lagMetrics: ConsumerLagMetrics;

  constructor(
    readonly settings: MessagingSettings,
    private readonly dataSource: DataSource,
  ) {
    this.kafka = createKafka({
      brokers: settings.brokers,
      clientId: `${settings.service}${settings.instanceId ? `-${settings.instanceId}` : ''}`,
    });
    this.serde = new AvroSerde({
      registryUrl: settings.registryUrl,
      autoRegister: settings.autoRegisterSchemas,
    });
    this.topics = new TopicNames(topicCatalogue, settings.topicPrefix);
    this.outbox = new OutboxWriter(this.serde, this.topics, `/divit/${settings.service}`);
    this.outboxMetrics = new OutboxBacklogMetrics(dataSource);
    this.lagMetrics = new ConsumerLagMetrics(this.kafka, () =>
      this.consumers
        .filter((c) => c.state !== 'stopped')
        .map((c) => ({ groupId: c.groupId, topics: c.topics })),
    );
  }

  /**
   * Starts relaying this service's outbox to Kafka (rows carry their writer schema). `batchSize` is the
   * number of rows per produce request (the relay's default when omitted); raise it for services that
   * write large bursts, such as a retention sweep.
   */
  async startRelay(options: { batchSize?: number } = {}): Promise<void> {
    this.outboxMetrics.start();
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      kafka: this.kafka,
      serde: this.serde,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    await this.relay.start();
  }

  /**
   * Starts a consumer. Its group id is namespaced with the topic prefix, like the topics: environments
   * (and test runs) sharing a broker must never share a consumer group, or the group's partitions are
   * spread over processes that do not read them.
   *
   * Returns without waiting for the group join (see the class comment); a start that fails (broker
   * unreachable) is retried with backoff until it succeeds or the runtime stops.
   */
  startConsumer<D extends readonly EventDescriptorLike[]>(
    options: Omit<EventConsumerOptions<D>, 'kafka' | 'serde' | 'topics' | 'dataSource'>,
  ): Promise<EventConsumer<D>> {
    const groupId = `${this.settings.topicPrefix}${options.groupId}`;
    const consumer = new EventConsumer<D>({
      ...options,
      groupId,
      kafka: this.kafka,
      serde: this.serde,
      topics: this.topics,
      dataSource: this.dataSource,
    });
    const entry: StartingConsumer = {
      groupId,
      topics: consumer.subscribedTopics,
      state: 'joining',
      consumer,
      started: Promise.resolve(),
    };
    this.lagMetrics.start();
    entry.started = this.join(entry, consumer);
    this.consumers.push(entry);
    return Promise.resolve(consumer);
  }

  /** Starts `consumer` and waits for its group join, retrying a failed start (same consumer object). */
  private async join(
    entry: StartingConsumer,
    consumer: { start(): Promise<void>; ready(): Promise<void>; stop(): Promise<void> },
  ): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await consumer.start();
        await consumer.ready();
        if (!this.stopping) entry.state = 'joined';
        return;
      } catch (error) {
        this.logger.error('consumer failed to start; retrying', error, { groupId: entry.groupId, attempt });
        await consumer.stop().catch(() => undefined);
        if (this.stopping) return;
        await sleep(Math.min(10_000, 500 * 2 ** attempt), this.stopped.signal);
      }
    }
  }

  /** Resolves once every consumer started so far has joined its group (tests, benchmarks). */
  async consumersJoined(): Promise<void> {
    await Promise.all([
      ...this.consumers.map((c) => c.started),
      ...this.readinessChecks.map((c) => c.started),
    ]);
  }

  /**
   * Readiness of the messaging parts this runtime started: not ready while any consumer has not yet joined its
   * group, or is not running (crashed, restarting or stopped), or the relay's publish loop has ended. A lost
   * LISTEN connection alone does not make the service unready (the relay polls meanwhile and re-opens it).
   * The health endpoint answers 503 with the `problems`.
   */
  /**
   * A further messaging part readiness waits for (e.g. the access suspensions read at start); `started` resolves
   * once it is ready, and {@link consumersJoined} waits for it too.
   */
  addReadinessCheck(name: string, ready: () => boolean, started?: Promise<void>): void {
    this.readinessChecks.push({ name, ready, ...(started ? { started } : {}) });
  }

  status(): MessagingStatus {
    const problems: string[] = [];
    for (const check of this.readinessChecks) if (!check.ready()) problems.push(`${check.name} not read yet`);
    for (const entry of this.consumers) {
      if (entry.state === 'joining') {
        problems.push(`consumer group ${entry.groupId} has not joined yet`);
        continue;
      }
      if (entry.state === 'stopped') {
        problems.push(`consumer group ${entry.groupId} is stopped`);
        continue;
      }
      const state = entry.consumer.state();
      if (state.status === 'crashed')
        problems.push(
          `consumer ${entry.groupId} crashed${state.restarting ? ' (restarting)' : ''}: ${state.reason}`,
        );
      else if (state.status !== 'running') problems.push(`consumer ${entry.groupId} is ${state.status}`);
    }
    if (this.relay) {
      const relay = this.relay.state();
      if (relay.status === 'failed') problems.push(`outbox relay failed: ${relay.reason}`);
      else if (relay.status !== 'running') problems.push(`outbox relay is ${relay.status}`);
    }
    return { ready: problems.length === 0, problems };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    // A consumer still joining finishes its join first (bounded by the group's rebalance), then leaves.
    for (const entry of [...this.consumers]) {
      await entry.started;
      entry.state = 'stopped';
      await entry.consumer.stop();
    }
    await this.relay?.stop();
    this.relay = undefined;
    this.outboxMetrics.stop();
    await this.lagMetrics.stop();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
