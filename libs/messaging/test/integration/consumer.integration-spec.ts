import { randomUUID } from 'node:crypto';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { EntityManager } from 'typeorm';
import {
  DirectPublisher,
  EventConsumer,
  frame,
  OutboxRelay,
  OutboxWriter,
  PermanentHandlerError,
  readDeadLetters,
  replayDeadLetters,
} from '../../src';
import { appliedCounts, createRig, eventually, PingV1Event, PingV2Event, TestRig } from './support';

const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new BasicTracerProvider());

async function insertApplied(em: EntityManager, id: string, n: number, note: string | null) {
  await em.query(`INSERT INTO applied (event_id, n, note) VALUES ($1, $2, $3)`, [id, n, note]);
}

describe('EventConsumer against the real broker, registry and PostgreSQL', () => {
  let rig: TestRig;
  const running: { stop(): Promise<void> }[] = [];

  beforeEach(async () => {
    rig = await createRig('consumer');
  });

  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await rig.close();
  });

  it('sends poison records to the dead-letter topic with their reason and keeps consuming', async () => {
    const failingN = 13;
    let fixed = false;
    const consumer = new EventConsumer({
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId: `${rig.prefix}poison`,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
      handle: async (event, em) => {
        if (event.value.n === failingN && !fixed) throw new Error('handler always fails for n=13');
        if (event.value.n === 99)
          throw new PermanentHandlerError('REFERENCE_UNKNOWN', 'organisation does not exist');
        await insertApplied(em, event.id, event.value.n, null);
      },
    });
    running.push(consumer);
    await consumer.start();

    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    const topic = rig.topics.name('testEvents');
    const raw = rig.kafka.producer();
    await raw.connect();
    running.push({ stop: () => raw.disconnect() });

    await publisher.publish(PingV1Event, [{ key: 'k', value: { n: 1, group: 'a' } }]);
    await raw.send({ topic, messages: [{ key: 'k', value: Buffer.from('{"not":"avro"}') }] });
    await raw.send({ topic, messages: [{ key: 'k', value: frame(987654, Buffer.from([2, 2, 97])) }] });
    const [failingId] = await publisher.publish(PingV1Event, [
      { key: 'k', value: { n: failingN, group: 'a' } },
    ]);
    await publisher.publish(PingV1Event, [{ key: 'k', value: { n: 99, group: 'a' } }]);
    await publisher.publish(PingV1Event, [{ key: 'k', value: { n: 2, group: 'a' } }]);

    // The good events around the poison are applied.
    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total === 2,
    );
    const dlqTopic = rig.topics.name('testDlq');
    const letters = await eventually(
      () => readDeadLetters(rig.kafka, dlqTopic),
      (l) => l.length === 4,
    );
    expect(letters.map((l) => l.errorCode)).toEqual([
      'NOT_CONFLUENT_FRAMED',
      'UNKNOWN_SCHEMA_ID',
      'HANDLER_FAILED',
      'REFERENCE_UNKNOWN',
    ]);
    expect(letters[0]?.reason).toMatch(/not in the Confluent wire format/);
    expect(letters[1]?.reason).toMatch(/schema id 987654/);
    expect(letters[2]).toMatchObject({
      attempts: 3,
      eventId: failingId,
      originalTopic: topic,
      reason: 'handler always fails for n=13',
    });
    expect(letters[3]).toMatchObject({ attempts: 1, eventType: 'nl.divit.test.Ping' });
    expect(letters.every((l) => l.consumerGroup === `${rig.prefix}poison`)).toBe(true);

    // After the fix, replaying the dead letter applies it once.
    fixed = true;
    const handlerFailure = letters.filter((l) => l.errorCode === 'HANDLER_FAILED');
    expect(await replayDeadLetters(rig.kafka, dlqTopic, handlerFailure)).toBe(1);
    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total === 3,
    );
    const rows = await rig.dataSource.query<{ n: number }[]>(`SELECT n FROM applied ORDER BY n`);
    expect(rows.map((r) => r.n)).toEqual([1, 2, failingN]);
  });

  it('without the inbox (handler idempotent on a natural key): redelivered events change nothing, no inbox rows', async () => {
    await rig.dataSource.query(
      `CREATE TABLE natural_applied (n int PRIMARY KEY, times int NOT NULL DEFAULT 1)`,
    );
    const groupId = `${rig.prefix}no-inbox`;
    const options = {
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      idempotentWithoutInbox: { naturalKey: 'natural_applied.n: INSERT … ON CONFLICT (n) DO NOTHING' },
      handleBatch: async (events: { value: { n: number } }[], em: EntityManager) => {
        await em.query(
          `INSERT INTO natural_applied (n) SELECT unnest($1::int[]) ON CONFLICT (n) DO NOTHING`,
          [events.map((e) => e.value.n)],
        );
      },
    };
    expect(() => new EventConsumer({ ...options, idempotentWithoutInbox: { naturalKey: ' ' } })).toThrow(
      /natural key/,
    );

    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    await publisher.publish(
      PingV1Event,
      Array.from({ length: 200 }, (_, n) => ({ key: `k${n % 7}`, value: { n, group: 'natural' } })),
    );
    const first = new EventConsumer(options);
    await first.start();
    await eventually(
      () => Promise.resolve(first.stats.processed),
      (n) => n === 200,
    );
    await first.stop();

    // Every event delivered again: the group's offsets back to the start of the topic.
    const admin = rig.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic: rig.topics.name('testEvents'), earliest: true });
    await admin.disconnect();
    const second = new EventConsumer(options);
    running.push(second);
    await second.start();
    await eventually(
      () => Promise.resolve(second.stats.processed),
      (n) => n === 200,
    );

    const [applied] = await rig.dataSource.query<{ rows: number; times: number }[]>(
      `SELECT count(*)::int AS rows, max(times)::int AS times FROM natural_applied`,
    );
    expect(applied).toEqual({ rows: 200, times: 1 });
    const [inbox] = await rig.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM inbox_messages WHERE consumer_group = $1`,
      [groupId],
    );
    expect(inbox?.n).toBe(0);
  });

  it('waits out a database outage instead of dead-lettering the message', async () => {
    let killed = 0;
    const consumer = new EventConsumer({
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId: `${rig.prefix}outage`,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      // Fewer attempts than outages: a handler error would be dead-lettered long before this succeeds.
      retry: { attempts: 2, initialDelayMs: 20, maxDelayMs: 100 },
      handle: async (event, em) => {
        if (killed < 4) {
          killed++;
          // PostgreSQL terminates this very connection (SQLSTATE 57P01), as in a failover or restart.
          await em.query('SELECT pg_terminate_backend(pg_backend_pid())');
        }
        await insertApplied(em, event.id, event.value.n, null);
      },
    });
    running.push(consumer);
    await consumer.start();
    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    await publisher.publish(PingV1Event, [{ key: 'k', value: { n: 42, group: 'outage' } }]);

    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total === 1,
    );
    expect(killed).toBe(4);
    expect(consumer.stats.deadLettered).toBe(0);
    expect(await readDeadLetters(rig.kafka, rig.topics.name('testDlq'))).toEqual([]);
  });

  it('hands new events to a batch handler in chunks, each event exactly once despite duplicates', async () => {
    const batchSizes: number[] = [];
    const consumer = new EventConsumer({
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId: `${rig.prefix}batch`,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      handleBatch: async (events, em) => {
        batchSizes.push(events.length);
        // One set-based statement for the whole chunk.
        await em.query(`INSERT INTO applied (event_id, n) SELECT * FROM unnest($1::text[], $2::int[])`, [
          events.map((e) => e.id),
          events.map((e) => e.value.n),
        ]);
      },
    });
    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    const events = Array.from({ length: 600 }, (_, i) => ({
      key: `k${i % 3}`,
      value: { n: i, group: 'batch' },
      id: randomUUID(),
    }));
    await publisher.publish(PingV1Event, events);
    await publisher.publish(PingV1Event, events.slice(0, 200)); // redelivered copies
    running.push(consumer);
    await consumer.start();

    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total >= 600,
    );
    await eventually(
      () => Promise.resolve(consumer.stats.duplicates),
      (d) => d === 200,
    );
    expect(await appliedCounts(rig.dataSource)).toEqual({ total: 600, uniq: 600 });
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(600);
  });

  it('applies a backlog in one transaction per fetched batch by default, and smaller fetches make smaller batches', async () => {
    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    // 60 sends of 50: many small record batches, so a small fetch can return only a few of them.
    for (let s = 0; s < 60; s++) {
      await publisher.publish(
        PingV1Event,
        Array.from({ length: 50 }, (_, i) => ({
          key: `k${i % 3}`,
          value: { n: s * 50 + i, group: 'fetch' },
        })),
      );
    }
    const consumerFor = (name: string, fetch: { maxBytesPerPartition?: number }) => {
      const sizes: number[] = [];
      const seen = new Set<string>();
      const consumer = new EventConsumer({
        kafka: rig.kafka,
        serde: rig.serde,
        topics: rig.topics,
        dataSource: rig.dataSource,
        groupId: `${rig.prefix}${name}`,
        descriptors: [PingV1Event] as const,
        deadLetterTopic: 'testDlq',
        fetch,
        handleBatch: (events) => {
          sizes.push(events.length);
          for (const e of events) seen.add(e.id);
          return Promise.resolve();
        },
      });
      return { consumer, sizes, seen };
    };
    const inboxRows = async (group: string) => {
      const [row] = await rig.dataSource.query<{ c: number }[]>(
        `SELECT count(*)::int AS c FROM inbox_messages WHERE consumer_group = $1`,
        [group],
      );
      return row?.c ?? 0;
    };
    const big = consumerFor('fetch-default', {});
    const small = consumerFor('fetch-small', { maxBytesPerPartition: 16 * 1024 });
    for (const c of [big, small]) {
      running.push(c.consumer);
      await c.consumer.start();
    }
    for (const c of [big, small]) {
      await eventually(
        () => Promise.resolve(c.consumer.stats.processed),
        (p) => p >= 3000,
      );
      expect(c.seen.size).toBe(3000);
      expect(c.sizes.reduce((a, b) => a + b, 0)).toBe(3000);
      expect(await inboxRows(c.consumer.groupId)).toBe(3000);
    }
    // The old fixed chunk was 200; a partition's backlog (~1,000 records, ~300 KB) now fits one fetch.
    expect(Math.max(...big.sizes)).toBeGreaterThan(200);
    // 16 KiB per partition holds well under 200 of these records.
    expect(Math.max(...small.sizes)).toBeLessThan(200);
    expect(small.sizes.length).toBeGreaterThan(big.sizes.length);
  });

  it('reads v1 events with a v2 reader schema and v2 events with a v1 reader schema', async () => {
    const seenByV2: { n: number; note: string | null }[] = [];
    const seenByV1: Record<string, unknown>[] = [];
    const v2Consumer = new EventConsumer({
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId: `${rig.prefix}v2-reader`,
      descriptors: [PingV2Event] as const,
      deadLetterTopic: 'testDlq',
      handle: (event) => {
        seenByV2.push({ n: event.value.n, note: event.value.note });
        return Promise.resolve();
      },
    });
    const v1Consumer = new EventConsumer({
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId: `${rig.prefix}v1-reader`,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      handle: (event) => {
        seenByV1.push({ ...event.value });
        return Promise.resolve();
      },
    });
    running.push(v2Consumer, v1Consumer);
    await Promise.all([v2Consumer.start(), v1Consumer.start()]);

    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    running.push(publisher);
    await publisher.publish(PingV1Event, [{ key: 'a', value: { n: 1, group: 'old-writer' } }]);
    await publisher.publish(PingV2Event, [{ key: 'a', value: { n: 2, group: 'new-writer', note: 'hello' } }]);

    await eventually(
      () => Promise.resolve(seenByV2.length + seenByV1.length),
      (n) => n === 4,
    );
    expect(seenByV2.sort((a, b) => a.n - b.n)).toEqual([
      { n: 1, note: null },
      { n: 2, note: 'hello' },
    ]);
    expect(seenByV1.sort((a, b) => Number(a.n) - Number(b.n))).toEqual([
      { n: 1, group: 'old-writer' },
      { n: 2, group: 'new-writer' },
    ]);
  });

  it('carries traceparent from the writer through the outbox to the consumer', async () => {
    const received: { traceparent?: string; traceId?: string }[] = [];
    const consumer = new EventConsumer({
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource: rig.dataSource,
      groupId: `${rig.prefix}trace`,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      handle: (event) => {
        received.push({
          ...(event.headers.traceparent ? { traceparent: event.headers.traceparent } : {}),
          ...(trace.getActiveSpan() ? { traceId: trace.getActiveSpan()?.spanContext().traceId } : {}),
        });
        return Promise.resolve();
      },
    });
    running.push(consumer);
    await consumer.start();
    const relay = new OutboxRelay({
      dataSource: rig.dataSource,
      kafka: rig.kafka,
      serde: rig.serde,
    });
    running.push(relay);
    await relay.start();

    const writer = new OutboxWriter(rig.serde, rig.topics, '/test');
    const tracer = trace.getTracer('test');
    const writerTraceId = await tracer.startActiveSpan('http request', async (span) => {
      await rig.dataSource.transaction((em) =>
        writer.add(em, PingV1Event, { key: 'x', value: { n: 7, group: 'g' } }),
      );
      span.end();
      return span.spanContext().traceId;
    });

    await eventually(
      () => Promise.resolve(received.length),
      (n) => n === 1,
    );
    expect(received[0]?.traceparent).toMatch(new RegExp(`^00-${writerTraceId}-[0-9a-f]{16}-0[01]$`));
    expect(received[0]?.traceId).toBe(writerTraceId);
  });
});
