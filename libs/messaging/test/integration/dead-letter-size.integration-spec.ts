import { createHash, randomBytes } from 'node:crypto';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Kafka } from 'kafkajs';
import {
  createKafka,
  createTopicsReady,
  DirectPublisher,
  DLQ,
  EventConsumer,
  readDeadLetters,
  replayDeadLetters,
} from '../../src';
import { appliedCounts, createRig, eventually, KAFKA_BROKERS, PingV1Event, TestRig } from './support';

/** Collects the library's OpenTelemetry instruments on demand. */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
const reader = new CollectingReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

async function metricPoints(
  name: string,
): Promise<{ attributes: Record<string, unknown>; value: unknown }[]> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));
}

async function metricValue(name: string, group: string): Promise<number | undefined> {
  const point = (await metricPoints(name)).find((p) => p.attributes.consumer_group === group);
  return point === undefined ? undefined : Number(point.value);
}

/** Both test topics accept at most 64 KiB per record batch, so a record at the limit is cheap. */
const LIMIT = 64 * 1024;

describe('dead letters never fail on size, and a consumer never stops silently', () => {
  let rig: TestRig;
  const running: { stop(): Promise<void> }[] = [];

  beforeEach(async () => {
    rig = await createRig('dlqsize', 1, { 'max.message.bytes': String(LIMIT) });
  });

  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await rig.close();
  });

  function consumerOf(kafka: Kafka, groupId: string, restartMs?: number) {
    return new EventConsumer({
      kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      retry: { attempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
      ...(restartMs ? { restart: { initialMs: restartMs, maxMs: restartMs } } : {}),
      handle: async (event, em) => {
        await em.query(`INSERT INTO applied (event_id, n) VALUES ($1, $2)`, [event.id, event.value.n]);
      },
    });
  }

  it('dead-letters a record just under the topic size limit as a reference with its reason, and the partition keeps flowing', async () => {
    const group = `${rig.prefix}big`;
    const consumer = consumerOf(rig.kafka, group);
    running.push(consumer);
    await consumer.start();

    const topic = rig.topics.name('testEvents');
    const raw = rig.kafka.producer();
    await raw.connect();
    running.push({ stop: () => raw.disconnect() });
    // Not Confluent-framed (first byte '{'), so it is dead-lettered at once; 200 bytes under the limit, so
    // the source topic takes it but the same bytes plus the dlq_* headers do not fit the dead-letter topic.
    const poison = randomBytes(LIMIT - 200);
    poison[0] = 0x7b;
    await raw.send({ topic, messages: [{ key: 'k', value: poison }] });
    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    const [nextId] = await publisher.publish(PingV1Event, [{ key: 'k', value: { n: 2, group: 'after' } }]);

    // The record after the poison, on the same (only) partition, is applied.
    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total === 1,
    );
    const rows = await rig.dataSource.query<{ event_id: string }[]>(`SELECT event_id FROM applied`);
    expect(rows).toEqual([{ event_id: nextId }]);

    const dlqTopic = rig.topics.name('testDlq');
    const letters = await readDeadLetters(rig.kafka, dlqTopic);
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter).toMatchObject({
      errorCode: 'NOT_CONFLUENT_FRAMED',
      originalTopic: topic,
      originalPartition: 0,
      originalOffset: '0',
      consumerGroup: group,
      truncated: true,
      key: 'k',
    });
    expect(letter?.reason).toMatch(/not in the Confluent wire format/);
    expect(letter?.reference).toMatchObject({
      originalTopic: topic,
      originalPartition: 0,
      originalOffset: '0',
      valueBytes: poison.length,
      valueSha256: createHash('sha256').update(poison).digest('hex'),
    });
    expect(Buffer.from(letter?.reference?.valuePrefixBase64 ?? '', 'base64')).toEqual(
      poison.subarray(0, Buffer.from(letter?.reference?.valuePrefixBase64 ?? '', 'base64').length),
    );
    const headers = letter?.message.headers ?? {};
    expect(String(headers[DLQ.truncated])).toBe('value');
    expect(String(headers[DLQ.reason])).toMatch(/not in the Confluent wire format/);
    expect(letter?.valueBytes).toBeLessThan(LIMIT);

    // The consumer is still running; the dead letter was counted, the crash counter never moved.
    expect(consumer.state()).toEqual({ status: 'running' });
    expect(consumer.stats.deadLettered).toBe(1);
    const deadLetters = (await metricPoints('divit_messaging_dead_letters_total')).filter(
      (p) => p.attributes.consumer_group === group,
    );
    expect(deadLetters).toEqual([
      { attributes: expect.objectContaining({ truncated: true }) as unknown, value: 1 },
    ]);
    expect(await metricValue('divit_messaging_consumer_crashes_total', group)).toBeUndefined();
    expect(await metricValue('divit_messaging_consumer_up', group)).toBe(1);

    // A reference cannot be replayed: the tool refuses and says where the original is.
    await expect(replayDeadLetters(rig.kafka, dlqTopic, letters)).rejects.toThrow(
      new RegExp(`truncated.*${topic} partition 0 offset 0`),
    );
  });

  it('restarts with backoff after a retriable crash, reporting crashed with the reason and then running again', async () => {
    // Few producer retries, so the dead-letter write to a missing topic fails fast.
    const kafka = new Kafka({
      brokers: KAFKA_BROKERS,
      clientId: `${rig.prefix}fragile`,
      retry: { initialRetryTime: 100, retries: 1 },
      logCreator: () => () => undefined,
    });
    const admin = createKafka({ brokers: KAFKA_BROKERS, clientId: `${rig.prefix}admin` }).admin();
    await admin.connect();
    running.push({ stop: () => admin.disconnect() });
    const dlqTopic = rig.topics.name('testDlq');
    await admin.deleteTopics({ topics: [dlqTopic] });

    const group = `${rig.prefix}restart`;
    // 3 s between a crash and the restart: time to see the crashed state and gauge.
    const consumer = consumerOf(kafka, group, 3000);
    expect(consumer.state()).toEqual({ status: 'stopped' });
    running.push(consumer);
    await consumer.start();
    expect(consumer.state()).toEqual({ status: 'running' });

    const raw = rig.kafka.producer();
    await raw.connect();
    running.push({ stop: () => raw.disconnect() });
    await raw.send({
      topic: rig.topics.name('testEvents'),
      messages: [{ key: 'k', value: Buffer.from('{"poison":true}') }],
    });

    // The dead-letter topic is missing: the write fails, the consumer crashes and says so.
    const crashed = await eventually(
      () => Promise.resolve(consumer.state()),
      (s) => s.status === 'crashed',
    );
    expect(crashed).toMatchObject({ status: 'crashed', restarting: true });
    expect(crashed.status === 'crashed' && crashed.reason.length).toBeGreaterThan(0);
    expect(await metricValue('divit_messaging_consumer_crashes_total', group)).toBeGreaterThanOrEqual(1);
    expect(await metricValue('divit_messaging_consumer_up', group)).toBe(0);

    // Once the topic exists again, a restart succeeds: the poison is dead-lettered and the next record applied.
    await createTopicsReady(admin, [
      {
        topic: dlqTopic,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }],
      },
    ]);
    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    await publisher.publish(PingV1Event, [{ key: 'k', value: { n: 3, group: 'after' } }]);
    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total === 1,
      90_000,
    );
    expect(consumer.state()).toEqual({ status: 'running' });
    expect(await metricValue('divit_messaging_consumer_up', group)).toBe(1);
    const letters = await readDeadLetters(rig.kafka, dlqTopic);
    expect(letters.map((l) => [l.errorCode, l.truncated])).toEqual([['NOT_CONFLUENT_FRAMED', false]]);

    await consumer.stop();
    expect(consumer.state()).toEqual({ status: 'stopped' });
  }, 180_000);
});
