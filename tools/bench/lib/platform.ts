// The platform path: OutboxWriter.addMany -> outbox_messages -> OutboxRelay -> Kafka -> EventConsumer
// (inbox mark + handler insert in one transaction), all of it in this one Node process.
import { DataSource, EntityManager } from 'typeorm';
import {
  ConsumedEvent,
  EventConsumer,
  OutboxRelay,
  OutboxWriter,
  OutgoingEvent,
  TopicNames,
} from '@divit/messaging';
import { BenchEvent, BenchRig, benchKey, benchValue, BenchValue } from './rig';
import { LatencyPhase } from './raw';
import { LatencyRecorder, pace, PhaseMeter, PhaseUsage, waitUntil } from './stats';

export interface PlatformThroughput {
  records: number;
  /** First outbox write to the last outbox transaction committed. */
  writeMs: number;
  /** First outbox write to the relay having published (and deleted) the last row. */
  relayMs: number;
  /** First outbox write to the last handler transaction committed (consumer stats). */
  totalMs: number;
  /** Rows the relay had published / events the consumer had applied when the last write committed. */
  atWriteEnd: { published: number; processed: number };
  usage: PhaseUsage;
  check: { applied: number; inbox: number; outboxLeft: number; deadLettered: number; duplicates: number };
}

interface Pipeline {
  dataSource: DataSource;
  topics: TopicNames;
  writer: OutboxWriter;
  relay: OutboxRelay;
  consumer: EventConsumer<readonly [typeof BenchEvent]>;
  stop(): Promise<void>;
}

async function pipeline(
  rig: BenchRig,
  phase: string,
  onEvent?: (value: { n: number; sentAtMs: number }, now: number) => void,
): Promise<Pipeline> {
  const { relayBatch, txBatch, concurrency, fetchPartitionBytes, fetchBytes } = rig.options;
  const { handler } = rig.options;
  const topics = await rig.catalogueTopics(phase);
  await rig.schemaId(topics.name('benchEvents'));
  const dataSource = await rig.database(phase);
  const writer = new OutboxWriter(rig.serde, topics, '/divit/bench');
  const relay = new OutboxRelay({
    dataSource,
    kafka: rig.kafka,
    serde: rig.serde,
    ...(relayBatch > 0 ? { batchSize: relayBatch } : {}),
  });
  const consumer = new EventConsumer({
    kafka: rig.kafka,
    serde: rig.serde,
    topics,
    dataSource,
    groupId: rig.group(`${rig.prefix(phase)}group`),
    descriptors: [BenchEvent] as const,
    deadLetterTopic: 'benchDlq',
    ...(txBatch > 0 ? { transactionBatchSize: txBatch } : {}),
    fetch: {
      ...(fetchPartitionBytes > 0 ? { maxBytesPerPartition: fetchPartitionBytes } : {}),
      ...(fetchBytes > 0 ? { maxBytes: fetchBytes } : {}),
    },
    partitionsConsumedConcurrently: concurrency,
    pipelined: rig.options.pipelined,
    ...(handler === 'batch'
      ? {
          handleBatch: async (
            events: ConsumedEvent<{ type: typeof BenchEvent.type; value: BenchValue }>[],
            em: EntityManager,
          ) => {
            const now = Date.now();
            for (const event of events) onEvent?.(event.value, now);
            await em.query(
              `INSERT INTO bench_applied (event_id, n) SELECT * FROM unnest($1::uuid[], $2::bigint[])`,
              [events.map((e) => e.id), events.map((e) => e.value.n)],
            );
          },
        }
      : {
          handle: async (
            event: ConsumedEvent<{ type: typeof BenchEvent.type; value: BenchValue }>,
            em: EntityManager,
          ) => {
            onEvent?.(event.value, Date.now());
            if (handler === 'insert')
              await em.query(`INSERT INTO bench_applied (event_id, n) VALUES ($1, $2)`, [
                event.id,
                event.value.n,
              ]);
          },
        }),
  });
  const stop = rig.closer(async () => {
    await relay.stop();
    await consumer.stop();
  });
  await relay.start();
  await consumer.start();
  await consumer.ready();
  return { dataSource, topics, writer, relay, consumer, stop };
}

async function count(dataSource: DataSource, table: string): Promise<number> {
  const [row] = await dataSource.query<{ c: number }[]>(`SELECT count(*)::int AS c FROM ${table}`);
  return row?.c ?? -1;
}

export async function platformThroughput(rig: BenchRig): Promise<PlatformThroughput> {
  const { records, writeBatch } = rig.options;
  const p = await pipeline(rig, 'plat-tput');
  let progress: NodeJS.Timeout | undefined;
  try {
    const meter = new PhaseMeter();
    const t0 = Date.now();
    let relayDone = 0;
    const relayWatch = waitUntil(() => p.relay.published >= records, 'relay', 600_000).then(
      (t) => {
        relayDone = t;
      },
      () => undefined,
    );
    let written = 0;
    progress = rig.options.progress
      ? setInterval(() => {
          const s = ((Date.now() - t0) / 1000).toFixed(1);
          console.error(
            `  t=${s}s written ${written} published ${p.relay.published} applied ${p.consumer.stats.processed}`,
          );
        }, 1000)
      : undefined;
    for (let i = 0; i < records; i += writeBatch) {
      const events: OutgoingEvent<BenchValue>[] = [];
      for (let n = i; n < Math.min(records, i + writeBatch); n++)
        events.push({ key: benchKey(n), value: benchValue(n) });
      await p.dataSource.transaction((em) => p.writer.addMany(em, BenchEvent, events));
      written += events.length;
    }
    const writtenAt = Date.now();
    const atWriteEnd = { published: p.relay.published, processed: p.consumer.stats.processed };
    const done = await waitUntil(
      () => p.consumer.stats.processed + p.consumer.stats.deadLettered >= records,
      'platform consumer',
      600_000,
    );
    const usage = meter.stop();
    await relayWatch;
    const check = {
      applied: await count(p.dataSource, 'bench_applied'),
      inbox: await count(p.dataSource, 'inbox_messages'),
      outboxLeft: await count(p.dataSource, 'outbox_messages'),
      deadLettered: p.consumer.stats.deadLettered,
      duplicates: p.consumer.stats.duplicates,
    };
    return {
      records,
      writeMs: writtenAt - t0,
      relayMs: relayDone - t0,
      totalMs: done - t0,
      atWriteEnd,
      usage,
      check,
    };
  } finally {
    clearInterval(progress);
    await p.stop();
  }
}

/**
 * Paced writer: one outbox transaction per tick with the messages due; each carries sentAtMs = Date.now()
 * taken just before that transaction begins. Latency = Date.now() at the start of the handler minus sentAtMs.
 */
export async function platformLatency(rig: BenchRig): Promise<LatencyPhase> {
  const { rate, durationS, warmupS, tickMs } = rig.options;
  const warmup = Math.round(rate * warmupS);
  const latency = new LatencyRecorder(Math.round(rate * durationS) + 1024);
  const p = await pipeline(rig, 'plat-lat', (value, now) => {
    if (value.n >= warmup) latency.record(now - value.sentAtMs);
  });
  const write = async (from: number, n: number): Promise<void> => {
    const sentAtMs = Date.now();
    const events: OutgoingEvent<BenchValue>[] = [];
    for (let i = from; i < from + n; i++) events.push({ key: benchKey(i), value: benchValue(i, sentAtMs) });
    await p.dataSource.transaction((em) => p.writer.addMany(em, BenchEvent, events));
  };
  try {
    await pace(rate, warmupS, tickMs, write);
    const meter = new PhaseMeter();
    const pacing = await pace(rate, durationS, tickMs, (from, n) => write(warmup + from, n));
    await waitUntil(
      () => p.consumer.stats.processed >= warmup + pacing.sent,
      'platform latency consumer',
      120_000,
    );
    return { latency, pacing, usage: meter.stop() };
  } finally {
    await p.stop();
  }
}
