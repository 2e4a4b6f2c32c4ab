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

/** `label` names the phase's own topic and group (a second raw run must not read the first one's records). */
export async function rawThroughput(rig: BenchRig, label = 'raw-tput'): Promise<RawThroughput> {
  const { records, writeBatch, rawInFlight } = rig.options;
  const topic = `${rig.prefix(label)}events`;
  await rig.createTopics([topic]);
  const schemaId = await rig.schemaId(topic);
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
      const messages: Message[] = [];
      for (let n = i; n < Math.min(records, i + writeBatch); n++) messages.push(record(schemaId, n));
      const send: Promise<unknown> = p
        .send({ topic, acks: -1, messages })
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
      if (inFlight.size >= rawInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const produced = Date.now();
    const done = await waitUntil(() => consumed >= records, 'raw consumer', 300_000);
    const usage = meter.stop();
    return {
      records,
      valueBytes: record(schemaId, records - 1).value?.length ?? 0,
      produceMs: produced - t0,
      totalMs: done - t0,
      usage,
    };
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
