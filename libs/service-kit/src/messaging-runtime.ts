import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { topicCatalogue } from '@divit/contracts';
import {
  AvroSerde,
  createKafka,
  EventConsumer,
  EventConsumerOptions,
  EventDescriptorLike,
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

/**
 * The messaging parts one service process needs, created once: Kafka client, Avro serde, topic names,
 * the outbox writer, the relay for the events the service produces, and its consumers.
 */
export class MessagingRuntime {
  readonly kafka: Kafka;
  readonly serde: AvroSerde;
  readonly topics: TopicNames;
  readonly outbox: OutboxWriter;
  private relay: OutboxRelay | undefined;
  private readonly consumers: Pick<
    EventConsumer<readonly EventDescriptorLike[]>,
    'groupId' | 'state' | 'stop'
  >[] = [];

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
  }

  /**
   * Starts relaying this service's outbox to Kafka (rows carry their writer schema). `batchSize` is the
   * number of rows per produce request (the relay's default when omitted); raise it for services that
   * write large bursts, such as a retention sweep.
   */
  async startRelay(options: { batchSize?: number } = {}): Promise<void> {
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
   */
  async startConsumer<D extends readonly EventDescriptorLike[]>(
    options: Omit<EventConsumerOptions<D>, 'kafka' | 'serde' | 'topics' | 'dataSource'>,
  ): Promise<EventConsumer<D>> {
    const consumer = new EventConsumer<D>({
      ...options,
      groupId: `${this.settings.topicPrefix}${options.groupId}`,
      kafka: this.kafka,
      serde: this.serde,
      topics: this.topics,
      dataSource: this.dataSource,
    });
    await consumer.start();
    this.consumers.push(consumer);
    return consumer;
  }

  /**
   * Readiness of the messaging parts this runtime started: not ready while any started consumer is not
   * running (crashed, restarting or stopped) or the relay's publish loop has ended. A lost LISTEN connection
   * alone does not make the service unready (the relay polls meanwhile and re-opens it). For the health
   * endpoint: `ready: false` should answer 503 with the `problems`.
   */
  status(): { ready: boolean; problems: string[] } {
    const problems: string[] = [];
    for (const consumer of this.consumers) {
      const state = consumer.state();
      if (state.status === 'crashed')
        problems.push(
          `consumer ${consumer.groupId} crashed${state.restarting ? ' (restarting)' : ''}: ${state.reason}`,
        );
      else if (state.status !== 'running') problems.push(`consumer ${consumer.groupId} is ${state.status}`);
    }
    if (this.relay) {
      const relay = this.relay.state();
      if (relay.status === 'failed') problems.push(`outbox relay failed: ${relay.reason}`);
      else if (relay.status !== 'running') problems.push(`outbox relay is ${relay.status}`);
    }
    return { ready: problems.length === 0, problems };
  }

  async stop(): Promise<void> {
    for (const consumer of this.consumers.splice(0)) await consumer.stop();
    await this.relay?.stop();
    this.relay = undefined;
  }
}
