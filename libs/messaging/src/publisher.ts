import { Kafka, Producer } from 'kafkajs';
import { AvroSerde, EventDescriptorLike } from './avro-serde';
import { cloudEventHeaders, currentTraceHeaders } from './headers';
import { TopicNames } from './topic-names';
import { OutgoingEvent } from './outbox/outbox.writer';
import { eventId } from './event-id';

/**
 * Publishes directly to Kafka, without an outbox. For tools, tests and benchmarks only: a service that
 * changes its own state and reports it must use {@link OutboxWriter} so the two cannot diverge.
 */
export class DirectPublisher {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly serde: AvroSerde,
    private readonly topics: TopicNames,
    private readonly source: string,
  ) {}

  async start(): Promise<void> {
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  async publish<V>(
    descriptor: EventDescriptorLike<string, V>,
    events: readonly OutgoingEvent<V>[],
  ): Promise<string[]> {
    if (!this.producer) throw new Error('publisher not started');
    const topic = this.topics.name(descriptor.topic);
    const trace = currentTraceHeaders();
    const ids: string[] = [];
    const messages = [];
    for (const event of events) {
      const id = event.id ?? eventId();
      ids.push(id);
      messages.push({
        key: event.key,
        value: await this.serde.encode(topic, descriptor, event.value),
        headers: {
          ...cloudEventHeaders({
            id,
            type: descriptor.type,
            source: this.source,
            time: event.time ?? new Date(),
            ...(event.subject ? { subject: event.subject } : {}),
          }),
          ...trace,
        },
      });
    }
    await this.producer.send({ topic, acks: -1, messages });
    return ids;
  }
}
