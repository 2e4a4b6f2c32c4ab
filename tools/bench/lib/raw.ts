// Baseline: plain kafkajs producer -> consumer, no database, no outbox, no inbox, no headers.
import * as avro from 'avsc';
import { Consumer, EachBatchPayload, Message, Partitioners } from 'kafkajs';
import { frame, HEADER_LENGTH } from '@divit/messaging';
import { BenchRig, BenchValue, benchEventSchema, benchKey, benchValue } from './rig';
import { LatencyRecorder, pace, PacingResult, PhaseMeter, PhaseUsage, waitUntil } from './stats';

const avroType = avro.Type.forSchema(benchEventSchema as unknown as avro.Schema);

export interface RawThroughput {
  records: number;
  valueBytes: number;
  /** First send to last acknowledged send. */
  produceMs: number;
  /** First send to the last record seen by the consumer's eachBatch. */
  totalMs: number;
  usage: PhaseUsage;
}

export interface LatencyPhase {
  latency: LatencyRecorder;
  pacing: PacingResult;
  usage: PhaseUsage;
}

/** A consumer with the platform's fetch settings, joined to its group before the clock starts. */
async function startConsumer(
  rig: BenchRig,
  groupId: string,
  topic: string,
  eachBatch: (payload: EachBatchPayload) => Promise<void>,
): Promise<Consumer> {
  const consumer = rig.kafka.consumer({
    groupId: rig.group(groupId),
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
    maxWaitTimeInMs: 250, // same as EventConsumer
  });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachBatch });
  await joined;
  return consumer;
}

function producer(rig: BenchRig) {
  // kafkajs defaults (not idempotent, no in-flight limit); acks=-1 is passed per send.
  return rig.kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

function record(schemaId: number, n: number, sentAtMs?: number): Message {
  return { key: benchKey(n), value: frame(schemaId, avroType.toBuffer(benchValue(n, sentAtMs))) };
}

/** What a benchmark may change about the raw run: its records, never its producer or consumer settings. */
export interface RawRecords {
  /** Records to move (default: the rig's `--records`). */
  records?: number;
  /** Records [from, to) in the Confluent wire format, one producer send's worth (default: ~100-byte BenchEvents). */
  batch?: (topic: string, from: number, to: number) => Promise<Message[]>;
}

/**
 * The raw baseline of every benchmark (issue 18 item 6: the same raw configuration everywhere): a plain kafkajs
 * producer (defaults, not idempotent, acks=-1, sends of `--write-batch` records, `--raw-in-flight` in flight: 1,000
 * and 1) to a fresh topic of `--partitions` partitions, and one consumer group (`eachBatch`, counting only,
 * `maxWaitTimeInMs` 250 like `EventConsumer`) joined before the clock starts. The time is first send → last record
 * seen. `label` names the phase's own topic and group (a second raw run must not read the first one's records).
 */
export async function rawThroughput(
  rig: BenchRig,
  label = 'raw-tput',
  custom: RawRecords = {},
): Promise<RawThroughput> {
  const { writeBatch, rawInFlight } = rig.options;
  const records = custom.records ?? rig.options.records;
  const topic = `${rig.prefix(label)}events`;
  await rig.createTopics([topic]);
  const schemaId = custom.batch ? 0 : await rig.schemaId(topic);
  const batchOf =
    custom.batch ??
    ((_t: string, from: number, to: number): Promise<Message[]> => {
      const messages: Message[] = [];
      for (let n = from; n < to; n++) messages.push(record(schemaId, n));
      return Promise.resolve(messages);
    });
  let valueBytes = 0;
  let consumed = 0;
  const consumer = await startConsumer(rig, `${rig.prefix(label)}group`, topic, ({ batch }) => {
    consumed += batch.messages.length;
    return Promise.resolve();
  });
  const p = producer(rig);
  const stop = rig.closer(async () => {
    await p.disconnect();
    await consumer.disconnect();
  });
  await p.connect();
  try {
    const meter = new PhaseMeter();
    const t0 = Date.now();
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < records; i += writeBatch) {
      const messages = await batchOf(topic, i, Math.min(records, i + writeBatch));
      valueBytes = messages[messages.length - 1]?.value?.length ?? valueBytes;
      const send: Promise<unknown> = p
        .send({ topic, acks: -1, messages })
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
      if (inFlight.size >= rawInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const produced = Date.now();
    const done = await waitUntil(() => consumed >= records, 'raw consumer', 1_800_000);
    const usage = meter.stop();
    return {
      records,
      valueBytes,
      produceMs: produced - t0,
      totalMs: done - t0,
      usage,
    };
  } finally {
    await stop();
  }
}

export interface RawConsume {
  records: number;
  /** Group joined → the eachBatch call that brings the count to `records`. */
  totalMs: number;
  usage: PhaseUsage;
}

/**
 * Consume-only raw baseline over records already on `topic` (billing's usage backlog): the consumer of
 * {@link rawThroughput} in a group of its own (`label`), from the beginning, counting only.
 */
export async function rawConsume(
  rig: BenchRig,
  topic: string,
  records: number,
  label: string,
): Promise<RawConsume> {
  let consumed = 0;
  let t0 = 0;
  let meter: PhaseMeter | undefined;
  // The records are on the topic already, so the clock starts at the first fetched batch (the group's join, which
  // depends on the broker's rebalance delay, is not the consumer's work) and stops at the batch that completes them.
  const consumer = await startConsumer(rig, `${rig.prefix(label)}group`, topic, ({ batch }) => {
    if (!meter) {
      meter = new PhaseMeter();
      t0 = Date.now();
    }
    consumed += batch.messages.length;
    return Promise.resolve();
  });
  const stop = rig.closer(() => consumer.disconnect());
  try {
    const done = await waitUntil(() => consumed >= records, 'raw consumer', 3_600_000, 5);
    return { records, totalMs: done - t0, usage: (meter as PhaseMeter).stop() };
  } finally {
    await stop();
  }
}

/** Paced acks=-1 sends; latency = Date.now() in eachBatch minus the record's sentAtMs. */
export async function rawLatency(rig: BenchRig): Promise<LatencyPhase> {
  const { rate, durationS, warmupS, tickMs } = rig.options;
  const topic = `${rig.prefix('raw-lat')}events`;
  await rig.createTopics([topic]);
  const schemaId = await rig.schemaId(topic);
  const warmup = Math.round(rate * warmupS);
  const latency = new LatencyRecorder(Math.round(rate * durationS) + 1024);
  let consumed = 0;
  const consumer = await startConsumer(rig, `${rig.prefix('raw-lat')}group`, topic, ({ batch }) => {
    for (const m of batch.messages) {
      const now = Date.now();
      const value = avroType.fromBuffer((m.value ?? Buffer.alloc(0)).subarray(HEADER_LENGTH)) as BenchValue;
      if (value.n >= warmup) latency.record(now - value.sentAtMs);
      consumed++;
    }
    return Promise.resolve();
  });
  const p = producer(rig);
  const stop = rig.closer(async () => {
    await p.disconnect();
    await consumer.disconnect();
  });
  await p.connect();
  try {
    await pace(rate, warmupS, tickMs, (from, count) => sendBatch(from, count));
    const meter = new PhaseMeter();
    const pacing = await pace(rate, durationS, tickMs, (from, count) => sendBatch(warmup + from, count));
    await waitUntil(() => consumed >= warmup + pacing.sent, 'raw latency consumer', 120_000);
    return { latency, pacing, usage: meter.stop() };
  } finally {
    await stop();
  }

  async function sendBatch(from: number, count: number): Promise<void> {
    const sentAtMs = Date.now();
    const messages: Message[] = [];
    for (let n = from; n < from + count; n++) messages.push(record(schemaId, n, sentAtMs));
    await p.send({ topic, acks: -1, messages });
  }
}
