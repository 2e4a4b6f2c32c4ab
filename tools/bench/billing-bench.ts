// Billing-reconciliation benchmark (services/billing-reconciliation/README.md#benchmark).
//
// What is measured, in one run, on a fresh database built by the service's migrations and per-run topics:
//  1. publish: N UsageRecorded events (Avro, DirectPublisher) onto the usage topic, as identity-validation
//     would (UPSTREAM SIMULATION; plus the registration facts: one route B allocator with M members and
//     their housing stock);
//  2. raw baseline: a plain kafkajs consumer reading the same N messages (no decoding, no database);
//  3. ingestion: the real service (AppModule in this process: its usage consumer with handleBatch, inbox,
//     unique key on usage id) consuming the backlog into usage_records — events/s until all N rows are there;
//  4. reconcile + split of the period over the M members (dry run, then close = reconcile + split + store +
//     settlement events through the outbox), beside a raw SQL aggregate of the same rows in the same run.
// Peak memory is this process (publisher, raw consumer and the service together); PostgreSQL and Kafka
// are separate processes and not included.
//
//   npm run bench:billing                                 10 000 000 events, 40 members
//   npm run bench:billing -- --events 1000000 --members 40
import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  HousingStockRecordedEvent,
  MembershipStartedEvent,
  OrganisationRegisteredEvent,
  topicCatalogue,
  UsageRecorded,
  UsageRecordedEvent,
} from '@divit/contracts';
import { Kafka } from 'kafkajs';
import { AvroSerde, CE, cloudEventHeaders, DirectPublisher, TopicNames } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import { LocalTokenIssuer, MessagingRuntime, Principal } from '@divit/service-kit';
import { AppModule } from '@divit/billing-reconciliation-service/src/app.module';
import { loadBillingConfig } from '@divit/billing-reconciliation-service/src/config/billing.config';
import { billingDataSourceOptions } from '@divit/billing-reconciliation-service/src/database/data-source';
import { InvoicesService } from '@divit/billing-reconciliation-service/src/invoices/invoices.service';
import { amountFor } from '@divit/billing-reconciliation-service/src/reconciliation/classify';
import { ReconciliationService } from '@divit/billing-reconciliation-service/src/reconciliation/reconciliation.service';
import { readOptions } from './lib/options';
import { BenchRig } from './lib/rig';
import { rawConsume, RawConsume } from './lib/raw';
import { benchResultLine, cpuPerEvent, fmt1, fmtInt, meanRate } from './lib/report';
import { lifetimePeakRssMiB, PhaseMeter, sleep } from './lib/stats';

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    members: { type: 'string', default: '40' },
    'publish-batch': { type: 'string', default: '10000' },
    'publish-in-flight': { type: 'string', default: '4' },
    // Unset: the service's own defaults (BILLING_USAGE_BATCH_SIZE, BILLING_USAGE_CONCURRENCY).
    'tx-batch': { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const EVENTS = Number(opts.events);
const MEMBERS = Number(opts.members);
const PUBLISH_BATCH = Number(opts['publish-batch']);
const IN_FLIGHT = Number(opts['publish-in-flight']);
const TARGET_EVENTS_PER_S = 20_000;
const TARGET_RECONCILE_S = 30;
/** Issue 18: usage ingestion at 0.30 or more of the raw consume of the same topic. */
const GOAL_RATIO = 0.3;
const perSec = (r: RawConsume): number => (r.records * 1000) / r.totalMs;
const PERIOD = { periodStart: '2025-03-01', periodEnd: '2025-03-31' };
const FROM = Date.parse('2025-03-01T00:00:00Z');
const SPAN_S = 29 * 86_400; // inside March in Europe/Amsterdam whatever the offset

const mib = (bytes: number) => bytes / 2 ** 20;

function memoryWatch() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 200);
  timer.unref();
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

/**
 * The usage backlog, published as fast as kafkajs allows (UPSTREAM SIMULATION). Each distinct payload shape
 * (unit x attributed-or-not x purpose: three here) is encoded once through the serde (validation, schema id,
 * Confluent framing); every event then copies its shape's bytes and patches in its own uuids (fixed-length
 * strings) and occurredAt (a zig-zag varint of fixed length for March 2025 in ms). A sample of the patched
 * payloads is decoded back with the Avro type and compared with the intended value, so a layout mistake
 * fails the run instead of skewing it. Plain producer: acks=1, no compression, several sends in flight.
 */
async function publishUsageBacklog(input: {
  kafka: Kafka;
  serde: AvroSerde;
  topic: string;
  allocator: string;
  members: readonly string[];
  events: number;
  batch: number;
  inFlight: number;
  progress: (published: number) => void;
}): Promise<{ shapes: number; verified: number }> {
  const { serde, topic, allocator, members } = input;
  const type = serde.typeOf(UsageRecordedEvent);
  const sentinel = (k: number) => `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
  const occurredAtOf = (n: number) => FROM + ((n * 7919) % SPAN_S) * 1000;
  const shapeOf = (n: number) => {
    const sharing = n % 10 < 3;
    return sharing ? (n % 20 < 3 ? 2 : 1) : 0; // 0 login, 1 sharing at registration, 2 sharing at allocation
  };
  interface Shape {
    bytes: Buffer;
    usageAt: number;
    sessionAt: number;
    lettingAt: number;
    allocationAt: number;
    occurredAt: number;
  }
  const zigzag6 = (buf: Buffer, at: number, value: number) => {
    let v = value * 2; // zig-zag of a positive long
    for (let i = 0; i < 6; i++) {
      const low = v % 128;
      v = Math.floor(v / 128);
      buf[at + i] = i < 5 ? low | 0x80 : low;
    }
    if (v !== 0) throw new Error(`occurredAt ${value} does not fit the 6-byte varint of the template`);
  };
  const valueOf = (n: number, ids: { usage: string; session: string; allocation: string }): UsageRecorded => {
    const shape = shapeOf(n);
    return {
      usageId: ids.usage,
      unit: shape === 0 ? 'DIGID_LOGIN' : 'DATA_SHARING',
      organisationId: allocator,
      lettingCorporationId: shape === 2 ? members[n % members.length]! : null,
      allocationId: shape === 2 ? ids.allocation : null,
      purpose: shape === 2 ? 'BSN_AND_INCOME_AT_ALLOCATION' : 'BSN_AT_REGISTRATION',
      sessionId: ids.session,
      occurredAt: occurredAtOf(n),
    };
  };
  const shapes: Shape[] = [];
  for (const n of [9, 10, 1]) {
    // n = 9: login; n = 10: sharing at registration; n = 1: sharing at allocation
    const ids = { usage: sentinel(1), session: sentinel(2), allocation: sentinel(3) };
    const value = valueOf(n, ids);
    const bytes = await serde.encode(topic, UsageRecordedEvent, value);
    const find = (s: string | null) => (s === null ? -1 : bytes.indexOf(s, 0, 'latin1'));
    const occurredAt = bytes.length - 6;
    const shape: Shape = {
      bytes,
      usageAt: find(ids.usage),
      sessionAt: find(ids.session),
      lettingAt: find(value.lettingCorporationId),
      allocationAt: find(value.allocationId),
      occurredAt,
    };
    const probe = Buffer.from(bytes);
    zigzag6(probe, occurredAt, value.occurredAt);
    if (shape.usageAt < 0 || shape.sessionAt < 0 || !probe.equals(bytes))
      throw new Error(`unexpected Avro layout for shape ${n}`);
    shapes[shapeOf(n)] = shape;
  }
  const producer = input.kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: input.inFlight,
  });
  await producer.connect();
  // The constant CloudEvents headers as ready bytes (only ce_id differs per event).
  const baseHeaders: Record<string, Buffer | string> = Object.fromEntries(
    Object.entries(
      cloudEventHeaders({
        id: '',
        type: UsageRecordedEvent.type,
        source: '/divit/bench-upstream-simulation',
        time: new Date(),
      }),
    ).map(([k, v]) => [k, Buffer.from(v)]),
  );
  // Partition chosen here (round robin) instead of hashing each key: the spread is as even as murmur2's.
  const admin = input.kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
  await admin.disconnect();
  let verified = 0;
  let next = 0;
  let sent = 0;
  let lastReport = performance.now();
  const worker = async () => {
    for (;;) {
      const from = next;
      if (from >= input.events) return;
      const to = Math.min(input.events, from + input.batch);
      next = to;
      const messages = new Array<{
        key: string;
        value: Buffer;
        partition: number;
        headers: Record<string, Buffer | string>;
      }>(to - from);
      for (let n = from; n < to; n++) {
        const shape = shapes[shapeOf(n)]!;
        const ids = { usage: randomUUID(), session: randomUUID(), allocation: randomUUID() };
        const value = Buffer.allocUnsafe(shape.bytes.length);
        shape.bytes.copy(value);
        value.write(ids.usage, shape.usageAt, 'latin1');
        value.write(ids.session, shape.sessionAt, 'latin1');
        if (shape.lettingAt >= 0) {
          value.write(members[n % members.length]!, shape.lettingAt, 'latin1');
          value.write(ids.allocation, shape.allocationAt, 'latin1');
        }
        zigzag6(value, shape.occurredAt, occurredAtOf(n));
        if (n % 50_000 < 3) {
          const decoded: unknown = type.fromBuffer(value.subarray(5));
          if (!isDeepStrictEqual({ ...(decoded as object) }, valueOf(n, ids)))
            throw new Error(`patched payload ${n} does not decode to its intended value`);
          verified++;
        }
        messages[n - from] = {
          key: ids.session,
          value,
          partition: n % partitions,
          headers: { ...baseHeaders, [CE.id]: randomUUID() },
        };
      }
      await producer.send({ topic, acks: 1, messages });
      sent += messages.length;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        input.progress(sent);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: input.inFlight }, () => worker()));
  } finally {
    await producer.disconnect();
  }
  return { shapes: shapes.length, verified };
}

async function main(): Promise<number> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  configureLogging({
    service: 'bench',
    level: 'warn',
    sink: {
      write: (line) => {
        if (!line.includes('Limiting retries for the idempotent producer')) process.stderr.write(line);
      },
    },
  });
  const rig = new BenchRig({ ...readOptions([], {}), partitions: 6 });
  const step = (what: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${what}`);
  const prefix = rig.prefix('billing');
  const topics = new TopicNames(topicCatalogue, prefix);
  const peakRss = memoryWatch();
  let db: TestDatabase | undefined;
  let app: INestApplicationContext | undefined;
  let publisher: DirectPublisher | undefined;
  const loadAtStart = os.loadavg();
  try {
    step(`run ${rig.runId}: ${fmtInt(EVENTS)} usage events, ${MEMBERS} members, ${os.cpus().length} CPUs`);
    const seed = loadBillingConfig({ KAFKA_TOPIC_PREFIX: prefix });
    db = await createTestDatabase({
      prefix: `bench_${rig.runId}_billing`,
      options: billingDataSourceOptions({ ...seed, DB_USER: process.env.PGUSER ?? 'postgres' }),
    });
    await rig.createTopics(Object.values(topicCatalogue).map((t) => topics.name(t.key)));
    publisher = new DirectPublisher(rig.kafka, rig.serde, topics, '/divit/bench-upstream-simulation');
    await publisher.start();

    // ---- registration facts (UPSTREAM SIMULATION): a route B allocator and its members with housing stock
    const allocator = randomUUID();
    const members = Array.from({ length: MEMBERS }, () => randomUUID());
    const at = Date.parse('2024-01-01T08:00:00Z');
    await publisher.publish(OrganisationRegisteredEvent, [
      {
        key: allocator,
        value: {
          organisationId: allocator,
          name: 'Bench allocator',
          kind: 'HOUSING_ALLOCATOR',
          route: 'B',
          coordinatorOrganisationId: allocator,
          effectiveFrom: '2024-01-01',
          occurredAt: at,
        },
      },
      ...members.map((m, i) => ({
        key: m,
        value: {
          organisationId: m,
          name: `Bench corporation ${i + 1}`,
          kind: 'CORPORATION' as const,
          route: 'A' as const,
          coordinatorOrganisationId: null,
          effectiveFrom: '2024-01-01',
          occurredAt: at,
        },
      })),
    ]);
    await publisher.publish(
      MembershipStartedEvent,
      members.map((m) => ({
        key: allocator,
        value: {
          organisationId: allocator,
          membershipId: randomUUID(),
          memberOrganisationId: m,
          validFrom: '2024-01-01',
          validTo: null,
          occurredAt: at,
        },
      })),
    );
    await publisher.publish(
      HousingStockRecordedEvent,
      members.map((m, i) => ({
        key: allocator,
        value: {
          organisationId: allocator,
          memberOrganisationId: m,
          dwellings: 500 + ((i * 7919) % 9500),
          effectiveFrom: '2024-01-01',
          occurredAt: at,
        },
      })),
    );

    // ---- 1. publish the usage backlog (fast path: pre-encoded payloads, several sends in flight)
    step(
      `publishing ${fmtInt(EVENTS)} UsageRecorded events (batches of ${PUBLISH_BATCH}, ${IN_FLIGHT} in flight, acks=1, no compression)`,
    );
    const pubStart = performance.now();
    const published = await publishUsageBacklog({
      kafka: rig.kafka,
      serde: rig.serde,
      topic: topics.name(UsageRecordedEvent.topic),
      allocator,
      members,
      events: EVENTS,
      batch: PUBLISH_BATCH,
      inFlight: IN_FLIGHT,
      progress: (n) =>
        step(`  published ${fmtInt(n)} (${fmtInt((n * 1000) / (performance.now() - pubStart))}/s)`),
    });
    const publishS = (performance.now() - pubStart) / 1000;
    step(
      `published in ${fmt1(publishS)} s (${fmtInt(EVENTS / publishS)}/s; ${published.shapes} payload shapes encoded by the serde, ${fmtInt(published.verified)} patched payloads decoded back and checked)`,
    );

    // ---- 2. raw baseline: the benchmarks' one raw consumer over the same messages, before and after ingestion
    const usageTopic = topics.name('identityValidationUsage');
    const rawBefore = await rawConsume(rig, usageTopic, EVENTS, 'raw-before');
    step(`raw kafkajs consume: ${fmt1(rawBefore.totalMs / 1000)} s (${fmtInt(perSec(rawBefore))}/s)`);

    // ---- 3. the service ingests the backlog
    const issuer = new LocalTokenIssuer();
    const config = loadBillingConfig({
      KAFKA_TOPIC_PREFIX: prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      DB_NAME: db.name,
      DB_USER: process.env.PGUSER ?? 'postgres',
      DB_POOL_SIZE: '10',
      AUTH_JWKS: JSON.stringify(issuer.jwks),
      LOG_LEVEL: 'warn',
      ...(opts['tx-batch'] ? { BILLING_USAGE_BATCH_SIZE: opts['tx-batch'] } : {}),
      ...(opts.concurrency ? { BILLING_USAGE_CONCURRENCY: opts.concurrency } : {}),
    });
    for (const g of [
      'billing-reconciliation-usage',
      'billing-reconciliation-registration',
      'billing-reconciliation-erasure',
    ])
      rig.group(`${prefix}${g}`);
    const ds = db.dataSource;
    const inserted = async () =>
      Number(
        (
          await ds.query<{ n: string }[]>(
            `SELECT n_tup_ins AS n FROM pg_stat_user_tables WHERE relname = 'usage_records'`,
          )
        )[0]?.n ?? 0,
      );
    step('starting the service (its consumers read the backlog)');
    // The clock includes the service's start and its groups' joins (a few seconds): conservative.
    const ingestMeter = new PhaseMeter();
    const ingestStart = performance.now();
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
      logger: ['error', 'warn'],
    });
    await app.init();
    // Consumers join their groups in the background; measure from the moment they have joined, as before.
    await app.get(MessagingRuntime, { strict: false }).consumersJoined();
    let last = 0;
    for (;;) {
      const n = await inserted();
      if (n >= EVENTS) break;
      if (performance.now() - last > 10_000) {
        last = performance.now();
        step(`  ingested ~${fmtInt(n)} (${fmtInt((n * 1000) / (last - ingestStart))}/s)`);
      }
      await sleep(500);
    }
    const ingestS = (performance.now() - ingestStart) / 1000;
    const ingestUsage = ingestMeter.stop();
    const rows = Number((await ds.query<{ n: string }[]>(`SELECT count(*) AS n FROM usage_records`))[0]?.n);
    step(`ingested ${fmtInt(rows)} rows in ${fmt1(ingestS)} s (${fmtInt(rows / ingestS)}/s)`);
    while (
      Number((await ds.query<{ n: string }[]>(`SELECT count(*) AS n FROM housing_stock`))[0]?.n) < MEMBERS
    )
      await sleep(200);
    await ds.query('ANALYZE usage_records');
    const rawAfter = await rawConsume(rig, usageTopic, EVENTS, 'raw-after');
    step(`raw kafkajs consume again: ${fmt1(rawAfter.totalMs / 1000)} s (${fmtInt(perSec(rawAfter))}/s)`);

    // ---- 4. invoice, raw aggregate, reconcile + split
    const counted = await ds.query<{ unit: string; n: string }[]>(
      `SELECT unit, count(*) AS n FROM usage_records GROUP BY unit`,
    );
    const count = (unit: string) => Number(counted.find((c) => c.unit === unit)?.n ?? 0);
    const logins = count('DIGID_LOGIN') + 3; // three the issuer billed that we never saw
    const sharings = count('DATA_SHARING');
    const finance: Principal = { subject: 'bench', organisationId: allocator, roles: ['finance'] };
    await app.get(InvoicesService).import(finance, 'json', {
      invoiceNumber: `BENCH-${rig.runId}`,
      issuer: 'LOGIUS',
      payerOrganisationId: allocator,
      ...PERIOD,
      currency: 'EUR',
      totalCents: amountFor(logins, 37500) + amountFor(sharings, 62500) + 1,
      lines: [
        { unit: 'DIGID_LOGIN', count: logins, amountCents: amountFor(logins, 37500) + 1 },
        { unit: 'DATA_SHARING', count: sharings, amountCents: amountFor(sharings, 62500) },
      ],
    });

    const rawAggStart = performance.now();
    const agg = await ds.query<unknown[]>(
      `SELECT unit, letting_corporation_id, count(*) FROM usage_records
        WHERE organisation_id = $1
          AND occurred_at >= ('2025-03-01'::date)::timestamp AT TIME ZONE 'Europe/Amsterdam'
          AND occurred_at < ('2025-03-31'::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
        GROUP BY 1, 2`,
      [allocator],
    );
    const rawAggS = (performance.now() - rawAggStart) / 1000;
    step(`raw SQL aggregate: ${fmt1(rawAggS)} s (${agg.length} groups)`);

    const reconciliation = app.get(ReconciliationService);
    const dryStart = performance.now();
    const dry = await reconciliation.dryRun(finance, { payerOrganisationId: allocator, ...PERIOD });
    const dryS = (performance.now() - dryStart) / 1000;
    const closeStart = performance.now();
    const closed = await reconciliation.close(finance, { payerOrganisationId: allocator, ...PERIOD });
    const closeS = (performance.now() - closeStart) / 1000;
    const parts = closed.result.split.parts;
    const sum = parts.reduce((a, p) => a + p.amountCents, 0);
    step(
      `dry run ${fmt1(dryS)} s; close (reconcile + split + store + ${parts.length} settlement events) ${fmt1(closeS)} s`,
    );

    const peak = mib(peakRss());
    const load = os.loadavg();
    console.log('\nBilling-reconciliation benchmark');
    console.log(
      `  machine               ${os.cpus().length} CPUs, load ${loadAtStart.map(fmt1).join('/')} at start, ${load.map(fmt1).join('/')} at end`,
    );
    console.log(
      `  events                ${fmtInt(EVENTS)} UsageRecorded (30% sharings, 15% attributable to ${MEMBERS} members)`,
    );
    console.log(`  publish (simulation)  ${fmt1(publishS)} s  ${fmtInt(EVENTS / publishS)} events/s`);
    const rawRate = meanRate([perSec(rawBefore), perSec(rawAfter)]);
    const ingestRate = rows / ingestS;
    const ratio = ingestRate / rawRate;
    console.log(
      `  raw kafkajs consume   before ${fmt1(rawBefore.totalMs / 1000)} s ${fmtInt(perSec(rawBefore))}/s, after ${fmt1(rawAfter.totalMs / 1000)} s ${fmtInt(perSec(rawAfter))}/s   (baseline, no decode, no DB)`,
    );
    console.log(
      `  service ingestion     ${fmt1(ingestS)} s  ${fmtInt(ingestRate)} events/s   (target ≥ ${fmtInt(TARGET_EVENTS_PER_S)}: ${ingestRate >= TARGET_EVENTS_PER_S ? 'met' : 'NOT met'})`,
    );
    console.log(
      `  ratio to raw (mean)   ${ratio.toFixed(3)}   (issue 18 goal ≥ ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'MET' : 'NOT MET'})`,
    );
    console.log(`  rows in ledger        ${fmtInt(rows)} (expected ${fmtInt(EVENTS)})`);
    console.log(`  raw SQL aggregate     ${fmt1(rawAggS)} s   (same rows, same run)`);
    console.log(`  reconcile+split (dry) ${fmt1(dryS)} s`);
    console.log(
      `  close (reconcile+split+store+outbox) ${fmt1(closeS)} s   (target < ${TARGET_RECONCILE_S} s: ${closeS < TARGET_RECONCILE_S ? 'met' : 'NOT met'})`,
    );
    console.log(
      `  split                 ${parts.length} members, ${closed.result.split.basis}, sum ${fmtInt(sum)} = invoice ${fmtInt(closed.result.split.totalCents)} cents: ${sum === closed.result.split.totalCents ? 'exact' : 'MISMATCH'}`,
    );
    console.log(
      `  differences           ${dry.discrepancies.map((d) => `${d.unit} ${d.class} ${d.count}/${d.amountCents}c`).join('; ') || 'none'}`,
    );
    console.log(
      `  peak RSS (this proc)  ${fmt1(peak)} MiB sampled, ${fmt1(lifetimePeakRssMiB())} MiB kernel high-water mark`,
    );
    const cpu = cpuPerEvent([
      { name: 'raw consume (before)', events: EVENTS, usage: rawBefore.usage },
      { name: 'service ingestion', events: rows, usage: ingestUsage },
      { name: 'raw consume (after)', events: EVENTS, usage: rawAfter.usage },
    ]);
    if (cpu.text) console.log(`\n${cpu.text}`);
    const ok = sum === closed.result.split.totalCents && rows === EVENTS;
    console.log(
      benchResultLine({
        bench: 'billing',
        events: EVENTS,
        members: MEMBERS,
        loadAtStart,
        publishPerSec: EVENTS / publishS,
        rawPerSec: [perSec(rawBefore), perSec(rawAfter)],
        ingestionPerSec: ingestRate,
        ratio,
        closeSeconds: closeS,
        dryRunSeconds: dryS,
        splitExact: sum === closed.result.split.totalCents,
        peakRssMiB: lifetimePeakRssMiB(),
        cpuMicrosPerEvent: cpu.json,
        failed: !ok,
      }),
    );
    return ok ? 0 : 1;
  } finally {
    await app?.close().catch(() => undefined);
    await publisher?.stop().catch(() => undefined);
    await db?.drop().catch((e: unknown) => console.error(`drop database: ${String(e)}`));
    for (const p of await rig.cleanup()) console.error(`clean-up: ${p}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
