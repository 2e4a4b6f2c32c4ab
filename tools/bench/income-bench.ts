// Income-retrieval benchmark (services/income-retrieval/README.md#benchmark): allocations through the real
// service (AppModule in this process: consumer, handlers, outbox, relay) against a fresh database built by
// its migrations and per-run topics on the local broker, next to the raw kafkajs produce→consume figure of the
// same broker in the same run.
//
// UPSTREAM SIMULATION: the benchmark itself publishes what registration (AllocationRecorded), consent
// (ConsentGranted) and identity-validation (IncomeShared) would publish, answering at once for every adult.
//
//   npm run bench:income                                  10 000 allocations (15 000 adults); 50 alloc/s for 20 s
//   npm run bench:income -- --allocations 2000 --rate 50 --duration 10 --tx-batch 200 --concurrency 3
//   npm run bench:income -- --help
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Consumer } from 'kafkajs';
import {
  AllocationRecorded,
  AllocationRecordedEvent,
  ConsentGrantedEvent,
  IncomeSharedEvent,
  topicCatalogue,
} from '@divit/contracts';
import { DirectPublisher, TopicNames } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import { LocalTokenIssuer, MessagingRuntime } from '@divit/service-kit';
import { AppModule } from '@divit/income-retrieval-service/src/app.module';
import { loadIncomeRetrievalConfig } from '@divit/income-retrieval-service/src/config/income-retrieval.config';
import { incomeRetrievalDataSourceOptions } from '@divit/income-retrieval-service/src/database/data-source';
import { readOptions } from './lib/options';
import { rawLatency, rawThroughput } from './lib/raw';
import { BenchRig } from './lib/rig';
import { benchResultLine, cpuPerEvent, fmt1, fmtInt, meanRate } from './lib/report';
import { LatencyRecorder, lifetimePeakRssMiB, pace, PhaseMeter, PhaseUsage, waitUntil } from './lib/stats';

const { values: opts } = parseArgs({
  options: {
    allocations: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '250' },
    'tx-batch': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(`npm run bench:income -- [--allocations N] [--rate allocations/s] [--duration s] [--warmup s]
  [--batch households per upstream publish] [--tx-batch CONSUMER_TX_BATCH] [--concurrency CONSUMER_CONCURRENCY]`);
  process.exit(0);
}
const ALLOCATIONS = Number(opts.allocations);
const RATE = Number(opts.rate);
const DURATION_S = Number(opts.duration);
const WARMUP_S = Number(opts.warmup);
const BATCH = Number(opts.batch);
// Issue 18's goals (the first issue's were 200 decisions/s and p99 < 500 ms at 50/s).
const TARGET_P99_MS = 50;
const TARGET_DECISIONS_PER_S = 2000;

function household(n: number, now: number) {
  const organisationId = ORG;
  const registrationId = randomUUID();
  const allocationId = randomUUID();
  const adults = [randomUUID(), ...(n % 2 === 0 ? [randomUUID()] : [])];
  const children = n % 5 === 0 ? [randomUUID()] : [];
  const allocation: AllocationRecorded = {
    allocationId,
    registrationId,
    organisationId,
    lettingCorporationId: CORP,
    leaseStartDate: '2025-09-01',
    monthlyRentCents: 68_000 + (n % 100) * 100,
    exemptionGroup: null,
    members: [
      ...adults.map((memberId, i) => ({
        memberId,
        role: i === 0 ? ('HOME_SEEKER' as const) : ('CO_RESIDENT' as const),
        adult: true,
      })),
      ...children.map((memberId) => ({ memberId, role: 'CO_RESIDENT' as const, adult: false })),
    ],
    occurredAt: now,
  };
  const subject = (i: number, m: string) => (i === 0 ? registrationId : m);
  const role = (i: number) => (i === 0 ? ('HOME_SEEKER' as const) : ('CO_RESIDENT' as const));
  const consentIds = adults.map(() => randomUUID());
  const consents = adults.map((m, i) => ({
    key: registrationId,
    value: {
      consentId: consentIds[i] as string,
      organisationId,
      registrationId,
      subjectId: subject(i, m),
      subjectRole: role(i),
      allocationId,
      purpose: 'BSN_AND_INCOME_AT_ALLOCATION' as const,
      textVersionHash: 'ab'.repeat(32),
      receiptId: `bench-${consentIds[i]}`,
      grantedAt: now,
    },
  }));
  const incomes = adults.map((m, i) => ({
    key: allocationId,
    value: {
      sharingId: randomUUID(),
      allocationId,
      registrationId,
      subjectId: subject(i, m),
      subjectRole: role(i),
      consentId: consentIds[i] as string,
      incomeCents: 1_500_000 + ((n * 7919 + i * 104_729) % 4_000_000),
      incomeKind: 'AGGREGATE_INCOME' as const,
      taxYear: 2024,
      signatureVerified: true,
      receivedAt: now,
    },
  }));
  return { allocation, adults: adults.length, consents, incomes };
}

const ORG = randomUUID();
const CORP = randomUUID();

interface SystemResult {
  allocations: number;
  adults: number;
  events: number;
  totalMs: number;
  usage: PhaseUsage;
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
  const eventsPerAllocation = 4; // 1 allocation + 1.5 consents + 1.5 incomes on average
  const options = {
    ...readOptions([], {}),
    records: ALLOCATIONS * eventsPerAllocation,
    rate: RATE * eventsPerAllocation,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    partitions: 6,
  };
  const rig = new BenchRig(options);
  const step = (what: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${what}`);
  const prefix = rig.prefix('income');
  const topics = new TopicNames(topicCatalogue, prefix);
  let db: TestDatabase | undefined;
  let app: INestApplicationContext | undefined;
  let observer: Consumer | undefined;
  let publisher: DirectPublisher | undefined;
  const loadAtStart = os.loadavg();
  const out: string[] = [];
  try {
    step(
      `run ${rig.runId}: ${fmtInt(ALLOCATIONS)} allocations; latency at ${RATE} allocations/s for ${DURATION_S} s`,
    );
    // ---- the service, in process, on a fresh database and per-run topics
    const seed = loadIncomeRetrievalConfig({ KAFKA_TOPIC_PREFIX: prefix });
    db = await createTestDatabase({
      prefix: `bench_${rig.runId}_income`,
      options: incomeRetrievalDataSourceOptions({ ...seed, DB_USER: process.env.PGUSER ?? 'postgres' }),
    });
    await rig.createTopics(Object.values(topicCatalogue).map((t) => topics.name(t.key)));
    const issuer = new LocalTokenIssuer();
    const config = loadIncomeRetrievalConfig({
      KAFKA_TOPIC_PREFIX: prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      DB_NAME: db.name,
      DB_USER: process.env.PGUSER ?? 'postgres',
      DB_POOL_SIZE: '10',
      AUTH_JWKS: JSON.stringify(issuer.jwks),
      EXPIRY_SWEEP_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
      CONSUMER_TX_BATCH: opts['tx-batch'],
      CONSUMER_CONCURRENCY: opts.concurrency,
    });
    rig.group(`${prefix}income-retrieval`);
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
      logger: ['error', 'warn'],
    });
    await app.init();
    // Consumers join their groups in the background; measure from the moment they have joined, as before.
    await app.get(MessagingRuntime, { strict: false }).consumersJoined();

    // ---- an outside consumer of the decisions topic (as an allocator's system would be)
    const decidedAt = new Map<string, number>();
    observer = rig.kafka.consumer({ groupId: rig.group(`${prefix}observer`), maxWaitTimeInMs: 250 });
    const joined = new Promise<void>((resolve) => observer?.on(observer.events.GROUP_JOIN, () => resolve()));
    await observer.connect();
    await observer.subscribe({ topics: [topics.name('incomeRetrievalDecisions')], fromBeginning: true });
    await observer.run({
      eachBatch: ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          const key = m.key?.toString();
          if (key && !decidedAt.has(key)) decidedAt.set(key, now);
        }
        return Promise.resolve();
      },
    });
    await joined;

    publisher = new DirectPublisher(rig.kafka, rig.serde, topics, '/divit/bench-upstream-simulation');
    await publisher.start();
    const pub = publisher;
    const publishHouseholds = async (hs: ReturnType<typeof household>[]) => {
      // As the upstream services would, answering at once: allocation, then consents, then shared income.
      await pub.publish(
        AllocationRecordedEvent,
        hs.map((h) => ({ key: h.allocation.allocationId, value: h.allocation })),
      );
      await pub.publish(
        ConsentGrantedEvent,
        hs.flatMap((h) => h.consents),
      );
      await pub.publish(
        IncomeSharedEvent,
        hs.flatMap((h) => h.incomes),
      );
    };
    // Registers the schemas (auto-register) and warms the path before the clock starts.
    const warm = Array.from({ length: 20 }, (_, i) => household(i, Date.now()));
    await publishHouseholds(warm);
    await waitUntil(
      () => warm.every((h) => decidedAt.has(h.allocation.allocationId)),
      'warm-up decisions',
      120_000,
      20,
    );

    // ---- raw baseline before the system phase: the benchmarks' one raw configuration (lib/raw.ts)
    step('raw kafkajs throughput (baseline, before) ...');
    const rawBefore = await rawThroughput(rig, 'raw-tput-before');

    // ---- system throughput: all allocations as fast as the upstream can publish them
    step('income-retrieval throughput ...');
    const all = Array.from({ length: ALLOCATIONS }, (_, i) => household(i, Date.now()));
    const adults = all.reduce((s, h) => s + h.adults, 0);
    const meter = new PhaseMeter();
    const t0 = Date.now();
    for (let i = 0; i < all.length; i += BATCH) await publishHouseholds(all.slice(i, i + BATCH));
    const published = Date.now();
    let lastReport = Date.now();
    const done = await waitUntil(
      () => {
        if (Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          const n = all.filter((h) => decidedAt.has(h.allocation.allocationId)).length;
          process.stderr.write(`  ${fmtInt(n)} / ${fmtInt(all.length)} decided\n`);
        }
        return decidedAt.size >= warm.length + all.length;
      },
      'all decisions',
      900_000,
      20,
    );
    const tput: SystemResult = {
      allocations: all.length,
      adults,
      events: all.length + 2 * adults,
      totalMs: done - t0,
      usage: meter.stop(),
    };
    step(
      `  ${fmtInt((tput.allocations * 1000) / tput.totalMs)} decisions/s (upstream published in ${fmt1((published - t0) / 1000)} s)`,
    );

    // ---- system latency at a steady rate: allocation recorded → decision consumed by an outside consumer
    step(`income-retrieval latency at ${RATE} allocations/s ...`);
    const sentAt = new Map<string, number>();
    const measured: string[] = [];
    const sendTick = (measure: boolean) => async (_from: number, count: number) => {
      const now = Date.now();
      const hs = Array.from({ length: count }, (_, i) => household(i, now));
      for (const h of hs) {
        sentAt.set(h.allocation.allocationId, now);
        if (measure) measured.push(h.allocation.allocationId);
      }
      await publishHouseholds(hs);
    };
    await pace(RATE, WARMUP_S, 20, sendTick(false));
    const latMeter = new PhaseMeter();
    const pacing = await pace(RATE, DURATION_S, 20, sendTick(true));
    await waitUntil(() => measured.every((id) => decidedAt.has(id)), 'latency decisions', 300_000, 20);
    const latUsage = latMeter.stop();
    const latency = new LatencyRecorder(measured.length);
    for (const id of measured) latency.record((decidedAt.get(id) ?? NaN) - (sentAt.get(id) ?? NaN));

    const check = await db.dataSource.query<{ d: number; dup: number; mr: number }[]>(
      `SELECT (SELECT count(*)::int FROM decisions) AS d,
              (SELECT count(*)::int FROM (SELECT allocation_id FROM decisions GROUP BY 1 HAVING count(*) > 1) x) AS dup,
              (SELECT count(*)::int FROM member_requests WHERE status <> 'SHARED') AS mr`,
    );

    // ---- raw baseline on the same broker, same run
    step('raw kafkajs throughput (baseline, after) ...');
    const rawAfter = await rawThroughput(rig, 'raw-tput-after');
    step('raw kafkajs latency (baseline) ...');
    const rawLat = await rawLatency(rig);

    // ---- report
    const s = latency.summary();
    const r = rawLat.latency.summary();
    const rawRates = [rawBefore, rawAfter].map((x) => (x.records * 1000) / x.totalMs);
    const rawRate = meanRate(rawRates);
    const eventRatio = (tput.events * 1000) / tput.totalMs / rawRate;
    const cpu = cpuPerEvent([
      { name: 'raw produce→consume (before)', events: rawBefore.records, usage: rawBefore.usage },
      { name: 'income-retrieval (per input event)', events: tput.events, usage: tput.usage },
      { name: 'raw produce→consume (after)', events: rawAfter.records, usage: rawAfter.usage },
    ]);
    const decisionsPerS = (tput.allocations * 1000) / tput.totalMs;
    const cpus = os.cpus();
    out.push(
      '',
      `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), node ${process.version}; load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}, at end ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
      'UPSTREAM SIMULATION: the benchmark publishes AllocationRecorded, ConsentGranted and IncomeShared itself, answering at once.',
      '',
      `service consumer: CONSUMER_TX_BATCH ${opts['tx-batch']}, CONSUMER_CONCURRENCY ${opts.concurrency}`,
      `throughput: ${fmtInt(tput.allocations)} allocations (${fmtInt(tput.adults)} adults, ${fmtInt(tput.events)} input events) in ${fmt1(tput.totalMs / 1000)} s`,
      `  income-retrieval: ${fmtInt(decisionsPerS)} decisions/s (${fmtInt((tput.events * 1000) / tput.totalMs)} input events/s); target >= ${TARGET_DECISIONS_PER_S}: ${decisionsPerS >= TARGET_DECISIONS_PER_S ? 'MET' : 'NOT MET'}`,
      `  raw kafkajs produce→consume, ${fmtInt(rawBefore.records)} records, before / after: ${rawRates.map(fmtInt).join(' / ')} records/s; input events per second / raw (mean): ${eventRatio.toFixed(3)}`,
      `  CPU during throughput: this process ${fmt1(tput.usage.nodeCpuPct)}% of a core, event loop ${fmt1(tput.usage.eventLoopPct)}%, machine ${fmt1(tput.usage.machineCpuPct ?? NaN)}% busy; pg(bench) ${fmt1(tput.usage.cpuByGroup?.['pg-bench'] ?? NaN)}%, kafka ${fmt1(tput.usage.cpuByGroup?.kafka ?? NaN)}%, other ${fmt1(tput.usage.cpuByGroup?.other ?? NaN)}%`,
      '',
      `latency (ms) at ${RATE} allocations/s for ${DURATION_S} s after ${WARMUP_S} s warm-up (achieved ${fmt1(pacing.sent / pacing.seconds)}/s):`,
      `  allocation recorded → decision consumed: p50 ${fmt1(s.p50)}  p95 ${fmt1(s.p95)}  p99 ${fmt1(s.p99)}  max ${fmt1(s.max)}  (${fmtInt(s.count)} samples); target p99 < ${TARGET_P99_MS}: ${s.p99 < TARGET_P99_MS ? 'MET' : 'NOT MET'}`,
      `  raw kafkajs send → consume at ${options.rate} msg/s:  p50 ${fmt1(r.p50)}  p95 ${fmt1(r.p95)}  p99 ${fmt1(r.p99)}  max ${fmt1(r.max)}`,
      `  CPU during latency: machine ${fmt1(latUsage.machineCpuPct ?? NaN)}% busy`,
      '',
      `check: ${fmtInt(check[0]?.d ?? 0)} decisions for ${fmtInt(warm.length + all.length + sentAt.size)} allocations, ${check[0]?.dup ?? '?'} allocations with more than one, ${check[0]?.mr ?? '?'} member requests not SHARED`,
    );
    if (cpu.text) out.push('', cpu.text);
    const ok =
      (check[0]?.d ?? 0) === warm.length + all.length + sentAt.size &&
      check[0]?.dup === 0 &&
      check[0]?.mr === 0;
    console.log(out.join('\n'));
    console.log(
      benchResultLine({
        bench: 'income',
        allocations: tput.allocations,
        inputEvents: tput.events,
        loadAtStart,
        decisionsPerSec: decisionsPerS,
        rawPerSec: rawRates,
        inputEventsPerSecToRaw: eventRatio,
        latencyMs: { rate: RATE, achieved: pacing.sent / pacing.seconds, ...s },
        rawLatencyMs: r,
        cpuMicrosPerEvent: cpu.json,
        peakRssMiB: lifetimePeakRssMiB(),
        failed: !ok,
      }),
    );
    return ok ? 0 : 1;
  } catch (error) {
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  } finally {
    await publisher?.stop().catch(() => undefined);
    await observer?.disconnect().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await db?.drop().catch((e: unknown) => console.error(`drop database: ${String(e)}`));
    await deleteSubjects(options.registryUrl, prefix);
    for (const p of await rig.cleanup()) console.error(`clean-up: ${p}`);
  }
}

/** Subjects the service auto-registered under this run's prefix. */
async function deleteSubjects(registryUrl: string, prefix: string): Promise<void> {
  try {
    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    for (const s of subjects.filter((x) => x.startsWith(prefix)))
      for (const suffix of ['', '?permanent=true'])
        await fetch(`${registryUrl}/subjects/${encodeURIComponent(s)}${suffix}`, { method: 'DELETE' });
  } catch (error) {
    console.error(`clean-up subjects: ${String(error)}`);
  }
}

void main().then((code) => process.exit(code));
