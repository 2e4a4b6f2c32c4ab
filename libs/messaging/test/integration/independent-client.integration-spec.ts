import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { EventDescriptorLike, frame, OutboxRelay, OutboxWriter, OutgoingEvent } from '../../src';
import {
  createRig,
  eventually,
  KAFKA_BROKERS,
  PingV1,
  PingV1Event,
  PingV2,
  PingV2Event,
  REGISTRY_URL,
  TestRig,
  topicRecordCount,
} from './support';

// The check must not share code with @divit/messaging: librdkafka (python3-confluent-kafka), the Apache
// Avro Python implementation (python3-avro) and urllib read what the platform wrote.
const root = path.resolve(__dirname, '../../../..');
const PYTHON = '/usr/bin/python3';
const CHECK = path.join(root, 'tools/checks/confluent_wire_check.py');
const INSTALL = 'sudo apt-get install python3-confluent-kafka python3-avro';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new BasicTracerProvider());

interface CheckedRecord {
  partition: number;
  offset: number;
  key: string | null;
  schemaId: number;
  schemaName: string;
  headers: Record<string, string | null>;
  value: Record<string, unknown>;
}

interface CheckRun {
  code: number | null;
  records: CheckedRecord[];
  stderr: string;
}

/** Fails (never skips) with the install command when Debian's Python or its Kafka/Avro modules are missing. */
function requireIndependentClient(): void {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing; the independent-client check needs Debian's Python: ${INSTALL}`);
  }
  const probe = spawnSync(PYTHON, ['-c', 'import confluent_kafka, avro.io, avro.schema'], {
    encoding: 'utf8',
  });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import confluent_kafka and avro (${(probe.error?.message ?? probe.stderr).trim()}); ` +
        `install them with: ${INSTALL}`,
    );
  }
}

function runCheck(topic: string, expect: number): Promise<CheckRun> {
  const args = [
    CHECK,
    '--brokers',
    KAFKA_BROKERS.join(','),
    '--registry',
    REGISTRY_URL,
    '--topic',
    topic,
    '--expect',
    String(expect),
    '--timeout',
    '60',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = Buffer.concat(out).toString('utf8').split('\n').filter(Boolean);
      resolve({
        code,
        records: lines.map((l) => JSON.parse(l) as CheckedRecord),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

describe('an independent client (librdkafka + Apache Avro for Python) reads what the platform wrote', () => {
  let rig: TestRig;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    rig = await createRig('indep', 3);
  });

  afterAll(async () => {
    for (const r of running.splice(0)) await r.stop();
    await rig.close();
  });

  it('finds Confluent-framed Avro with registry-resolvable schema ids and CloudEvents headers', async () => {
    requireIndependentClient();
    const topic = rig.topics.name('testEvents');
    const writer = new OutboxWriter(rig.serde, rig.topics, '/test/independent-client');
    const time = new Date('2026-01-02T03:04:05.678Z');
    const v1: { key: string; value: PingV1 }[] = [
      { key: 'org-1', value: { n: 1, group: 'alpha' } },
      { key: 'org-2', value: { n: 2, group: 'bèta ✓' } },
      { key: 'org-3', value: { n: -3, group: '' } },
    ];
    const v2: { key: string; value: PingV2 }[] = [
      { key: 'org-1', value: { n: 4, group: 'alpha', note: 'second version' } },
      { key: 'org-4', value: { n: 5, group: 'gamma', note: null } },
    ];

    // Two releases of the producer wrote rows with different writer schemas; both are still in the outbox
    // when one relay (of the newer release) drains it. Each row names its writer schema, so every record is
    // framed with the id of the schema that encoded it.
    const ids: string[] = [];
    const traceIds: string[] = [];
    async function write<V>(
      descriptor: EventDescriptorLike<string, V>,
      events: OutgoingEvent<V>[],
    ): Promise<void> {
      await trace.getTracer('test').startActiveSpan('http request', async (span) => {
        const written = await rig.dataSource.transaction((em) => writer.addMany(em, descriptor, events));
        ids.push(...written);
        traceIds.push(...written.map(() => span.spanContext().traceId));
        span.end();
      });
    }
    await write(
      PingV1Event,
      v1.map((e) => ({ ...e, time })),
    );
    await write(
      PingV2Event,
      v2.map((e) => ({ ...e, time, subject: `subject-${e.value.n}` })),
    );
    const relay = new OutboxRelay({ dataSource: rig.dataSource, kafka: rig.kafka, serde: rig.serde });
    running.push(relay);
    await relay.start();
    await eventually(
      () => topicRecordCount(rig.kafka, topic),
      (n) => n === ids.length,
    );
    await relay.stop();
    expect(ids).toHaveLength(5);

    const run = await runCheck(topic, 5);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.records).toHaveLength(5);

    // The ids the platform's serde resolved (cached from the relay's publish) are the ids on the wire.
    const v1Id = await rig.serde.schemaId(topic, PingV1Event);
    const v2Id = await rig.serde.schemaId(topic, PingV2Event);
    expect(v1Id).not.toBe(v2Id);

    const byId = new Map(run.records.map((r) => [r.headers.ce_id, r]));
    const expected = [
      ...v1.map((e, i) => ({
        id: ids[i],
        traceId: traceIds[i],
        schemaId: v1Id,
        key: e.key,
        value: e.value,
        subject: undefined,
      })),
      ...v2.map((e, i) => ({
        id: ids[v1.length + i],
        traceId: traceIds[v1.length + i],
        schemaId: v2Id,
        key: e.key,
        value: e.value,
        subject: `subject-${e.value.n}`,
      })),
    ];
    for (const e of expected) {
      const record = byId.get(e.id);
      expect(record).toMatchObject({
        key: e.key,
        schemaId: e.schemaId,
        schemaName: 'nl.divit.test.Ping',
        value: e.value,
        headers: {
          ce_id: e.id,
          ce_type: 'nl.divit.test.Ping',
          ce_source: '/test/independent-client',
          ce_time: time.toISOString(),
          ce_specversion: '1.0',
          'content-type': 'application/avro',
        },
      });
      // Decoded with the writer schema from the registry: v1 records have no `note` at all.
      expect(Object.keys(record?.value ?? {}).sort()).toEqual(Object.keys(e.value).sort());
      expect(record?.headers.ce_subject).toBe(e.subject);
      // The trace context of the request that wrote the row, replayed by the relay (ADR 0003).
      expect(record?.headers.traceparent).toMatch(new RegExp(`^00-${e.traceId}-[0-9a-f]{16}-0[01]$`));
    }

    // Per-key order: org-1's v1 event precedes its v2 event on the same partition.
    const org1 = run.records.filter((r) => r.key === 'org-1');
    expect(new Set(org1.map((r) => r.partition)).size).toBe(1);
    expect(org1.sort((a, b) => a.offset - b.offset).map((r) => r.value.n)).toEqual([1, 4]);
  });

  it('fails on records that are not framed or whose schema id the registry does not know', async () => {
    requireIndependentClient();
    const topic = rig.topics.name('testDlq');
    const producer = rig.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [
          { key: 'a', value: Buffer.from('{"not":"avro"}') },
          { key: 'b', value: frame(987654321, Buffer.from([2, 2, 97])) },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    const run = await runCheck(topic, 2);
    expect(run.code).toBe(1);
    expect(run.records).toEqual([]);
    expect(run.stderr).toMatch(/not Confluent-framed \(14 bytes, first byte 123\)/);
    expect(run.stderr).toMatch(/schema id 987654321 does not resolve: .* HTTP 404/);
  });
});
