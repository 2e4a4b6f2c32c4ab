// Retention benchmark (issue #8): N due erasures spread over the five owning services, in one run against the
// local stack (services/retention-cleanup/README.md, "Benchmark"):
//   1. raw baseline, before and after the system: the benchmarks' one raw configuration (tools/bench/lib/raw.ts:
//      plain kafkajs, sends of 1,000, one in flight, acks=-1, one group counting) moving N Avro ErasureRequested
//      records produce -> consume;
//   2. the system: the retention-cleanup AppModule in this process on a fresh database holding N due erasures;
//      one sweep claims and issues them (outbox -> relay -> commands topic); an ack responder (a plain kafkajs
//      consumer playing the five owners: decode, answer <X>ErasureCompleted on the owner's erasures topic) echoes
//      every command; the service's acknowledgement consumer completes the erasures and writes the deletion log.
//      Measured: sweep start -> all N issued (outbox committed), -> all N delivered to the responder,
//      -> all N acknowledged (N rows in the deletion log).
//   npm run bench:retention                     1 000 000 erasures
//   npm run bench:retention -- --count 100000
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { Message } from 'kafkajs';
import {
  BillingErasureCompletedEvent,
  ConsentErasureCompletedEvent,
  ErasureRequestedEvent,
  IdentityErasureCompletedEvent,
  IncomeErasureCompletedEvent,
  RegistrationErasureCompletedEvent,
  topicCatalogue,
} from '@divit/contracts';
import type { ErasureRequested, OwningService } from '@divit/contracts';
import { AvroSerde, createKafka, DirectPublisher, TopicNames } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import { LocalTokenIssuer, MessagingRuntime } from '@divit/service-kit';
import { AppModule } from '@divit/retention-cleanup-service/src/app.module';
import { loadRetentionCleanupConfig } from '@divit/retention-cleanup-service/src/config/retention-cleanup.config';
import { retentionCleanupDataSourceOptions } from '@divit/retention-cleanup-service/src/database/data-source';
import { ErasuresService } from '@divit/retention-cleanup-service/src/erasures/erasures.service';
import { readOptions } from './lib/options';
import { rawThroughput, RawThroughput } from './lib/raw';
import { benchResultLine, cpuPerEvent, fmt1, fmtInt } from './lib/report';
import { BenchRig } from './lib/rig';
import { lifetimePeakRssMiB, PhaseMeter, sleep } from './lib/stats';

const TARGET_SECONDS = 300;
/** Issue 18: all acknowledged within 2.5 x the raw 1,000,000-record produce -> consume time of the same run. */
const GOAL_RATIO = 0.4;
const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    'sweep-batch': { type: 'string', default: '10000' },
    'skip-raw': { type: 'boolean', default: false },
    /** Unset: the service's default SWEEP_WORKERS. */
    'sweep-workers': { type: 'string' },
  },
});
const COUNT = Number(opts.count);
const SWEEP_BATCH = Number(opts['sweep-batch']);
if (!Number.isInteger(COUNT) || COUNT < 1) throw new Error('--count must be a positive integer');

/** Peak RSS of this process, sampled every 250 ms, per phase. */
class RssSampler {
  peak = 0;
  private timer = setInterval(() => this.sample(), 250);
  sample() {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peak / 2 ** 20;
  }
}

const OWNED: Record<OwningService, string> = {
  REGISTRATION: 'REGISTRATION_DATA',
  CONSENT: 'CONSENT_PROOFS',
  IDENTITY_VALIDATION: 'HASHED_BSN',
  INCOME_RETRIEVAL: 'UNUSED_INCOME',
  BILLING_RECONCILIATION: 'USAGE_LEDGER',
};
const ACK = {
  REGISTRATION: RegistrationErasureCompletedEvent,
  CONSENT: ConsentErasureCompletedEvent,
  IDENTITY_VALIDATION: IdentityErasureCompletedEvent,
  INCOME_RETRIEVAL: IncomeErasureCompletedEvent,
  BILLING_RECONCILIATION: BillingErasureCompletedEvent,
} as const;

function sampleCommand(n: number): ErasureRequested {
  const services = Object.keys(OWNED) as OwningService[];
  const target = services[n % services.length]!;
  return {
    erasureId: '00000000-0000-4000-8000-' + n.toString(16).padStart(12, '0'),
    targetService: target,
    category: OWNED[target] as ErasureRequested['category'],
    reason: 'RETENTION_PERIOD_ENDED',
    policyId: `default/${OWNED[target]}`,
    organisationId: '11111111-1111-4111-8111-111111111111',
    registrationId: '22222222-2222-4222-8222-' + n.toString(16).padStart(12, '0'),
    subjectId: null,
    allocationId: null,
    recordedBefore: null,
    requestedAt: Date.now(),
  };
}

async function main() {
  configureLogging({ service: 'retention-bench', level: 'warn' });
  const runId = randomBytes(3).toString('hex');
  const prefix = `bench-ret-${runId}-`;
  const issuer = new LocalTokenIssuer();
  const base = loadRetentionCleanupConfig({
    KAFKA_TOPIC_PREFIX: prefix,
    SCHEMA_AUTO_REGISTER: 'true',
    SWEEP_INTERVAL_SECONDS: '0',
    SWEEP_BATCH_SIZE: String(SWEEP_BATCH),
    ERASURE_RESEND_AFTER_SECONDS: '86400',
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
  });
  const kafka = createKafka({ brokers: base.KAFKA_BROKERS, clientId: prefix });
  const serde = new AvroSerde({ registryUrl: base.SCHEMA_REGISTRY_URL, autoRegister: true });
  const topics = new TopicNames(topicCatalogue, prefix);
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${fmt1(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `settings: ${fmtInt(COUNT)} erasures over 5 owning services, sweep batch ${SWEEP_BATCH}, sweep workers ${opts['sweep-workers'] ?? 'service default'}, run ${runId}`,
  );

  // The raw runs: the same producer and consumer settings as every other benchmark, ErasureRequested records.
  const rig = new BenchRig({ ...readOptions([], {}), records: COUNT, partitions: 6 });
  const runRaw = async (label: string): Promise<RawThroughput> => {
    const r = await rawThroughput(rig, label, {
      batch: async (topic, from, to) => {
        const messages: Message[] = [];
        for (let n = from; n < to; n++) {
          const v = sampleCommand(n);
          messages.push({
            key: v.registrationId,
            value: await serde.encode(topic, ErasureRequestedEvent, v),
          });
        }
        return messages;
      },
    });
    console.log(
      `raw kafkajs (${label}): produce ${fmt1(r.produceMs / 1000)} s, produce->all consumed ${fmt1(r.totalMs / 1000)} s (${fmtInt((COUNT * 1000) / r.totalMs)}/s), phase peak RSS ${fmt1(r.usage.peakRssMiB)} MiB`,
    );
    return r;
  };
  const loadAtStart = os.loadavg();

  let db: TestDatabase | undefined;
  let app: INestApplicationContext | undefined;
  let publisher: DirectPublisher | undefined;
  const admin = kafka.admin();
  await admin.connect();
  const created: string[] = [];
  try {
    const rawBefore = opts['skip-raw'] ? undefined : await runRaw('raw-before');

    db = await createTestDatabase({
      prefix: 'bench_retention',
      options: retentionCleanupDataSourceOptions(base),
    });
    const config = loadRetentionCleanupConfig({
      KAFKA_TOPIC_PREFIX: prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      SWEEP_INTERVAL_SECONDS: '0',
      SWEEP_BATCH_SIZE: String(SWEEP_BATCH),
      ERASURE_RESEND_AFTER_SECONDS: '86400',
      LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      AUTH_JWKS: JSON.stringify(issuer.jwks),
      DB_NAME: db.name,
      DB_USER: 'postgres',
      DB_POOL_SIZE: '10',
      ...(opts['sweep-workers'] ? { SWEEP_WORKERS: opts['sweep-workers'] } : {}),
    });
    const catalogueTopics = Object.values(topicCatalogue).map((t) => ({
      topic: topics.name(t.key),
      numPartitions: t.partitions,
    }));
    await admin.createTopics({ waitForLeaders: true, topics: catalogueTopics });
    created.push(...catalogueTopics.map((t) => t.topic));

    // N due erasures, round-robin over the owners (set-based seed, not measured).
    const seedStart = Date.now();
    await db.dataSource.query(
      `INSERT INTO scheduled_erasures (erasure_id, category, target_service, reason, "trigger", policy_id,
         organisation_id, registration_id, trigger_at, due_at, dedupe_key)
       SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
         (ARRAY['REGISTRATION_DATA','CONSENT_PROOFS','HASHED_BSN','UNUSED_INCOME','USAGE_LEDGER'])[n % 5 + 1],
         (ARRAY['REGISTRATION','CONSENT','IDENTITY_VALIDATION','INCOME_RETRIEVAL','BILLING_RECONCILIATION'])[n % 5 + 1],
         'REGISTRATION_DEREGISTERED', 'REGISTRATION_DEREGISTERED', 'default/bench',
         '11111111-1111-4111-8111-111111111111',
         ('22222222-2222-4222-8222-' || lpad(to_hex(n), 12, '0'))::uuid,
         now() - interval '2 years', now() - interval '1 minute', 'bench/' || n
       FROM generate_series(0, $1::int - 1) AS n`,
      [COUNT],
    );
    await db.dataSource.query(`ANALYZE scheduled_erasures`);
    console.log(
      `seeded ${fmtInt(COUNT)} due erasures in ${fmt1((Date.now() - seedStart) / 1000)} s (not measured)`,
    );

    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
      logger: ['error', 'warn'],
    });
    await app.init();
    // Consumers join their groups in the background; measure from the moment they have joined, as before.
    await app.get(MessagingRuntime, { strict: false }).consumersJoined();

    // The five owners, played by one echo consumer: every command is answered on its owner's erasures topic.
    publisher = new DirectPublisher(kafka, serde, topics, `/divit/bench/${prefix}`);
    await publisher.start();
    const readers = new Map([[ErasureRequestedEvent.type, ErasureRequestedEvent]]);
    let delivered = 0;
    let lastDelivered = 0;
    const responder = kafka.consumer({ groupId: `${prefix}owners`, maxWaitTimeInMs: 250 });
    const joined = new Promise<void>((r) => responder.on(responder.events.GROUP_JOIN, () => r()));
    await responder.connect();
    await responder.subscribe({
      topics: [topics.name('retentionCleanupErasureCommands')],
      fromBeginning: true,
    });
    const pub = publisher;
    await responder.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const byService = new Map<OwningService, ErasureRequested[]>();
        for (const m of batch.messages) {
          const c = (await serde.decode(m.value, readers)).value as ErasureRequested;
          const list = byService.get(c.targetService) ?? [];
          list.push(c);
          byService.set(c.targetService, list);
        }
        for (const [service, commands] of byService) {
          await pub.publish(
            ACK[service],
            commands.map((c) => ({
              key: c.erasureId,
              value: {
                erasureId: c.erasureId,
                category: c.category,
                erasedCount: 1,
                completedAt: Date.now(),
              },
            })),
          );
        }
        delivered += batch.messages.length;
        lastDelivered = Date.now();
        await payload.heartbeat();
      },
    });
    await joined;

    const rss = new RssSampler();
    const meter = new PhaseMeter();
    const erasures = app.get(ErasuresService);
    const t0 = Date.now();
    const sweep = await erasures.sweep();
    const issuedAt = Date.now();
    let completed = 0;
    let progressAt = Date.now();
    // The sweep also issues the age-based commands of the default policies (a handful): wait for all it issued.
    while (completed < sweep.issuedCount) {
      await sleep(1000);
      const [row] = await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM deletion_log`);
      completed = row?.n ?? 0;
      if (Date.now() - progressAt > 15_000) {
        progressAt = Date.now();
        console.log(
          `  … ${fmt1((Date.now() - t0) / 1000)} s: delivered ${fmtInt(delivered)}, acknowledged ${fmtInt(completed)}`,
        );
      }
      if (Date.now() - t0 > 1_800_000) throw new Error('not all acknowledged within 30 minutes');
    }
    const doneAt = Date.now();
    const usage = meter.stop();
    const peak = rss.stop();
    await responder.disconnect();
    const rawAfter = opts['skip-raw'] ? undefined : await runRaw('raw-after');
    const raws = [rawBefore, rawAfter].filter((r): r is RawThroughput => r !== undefined);
    const total = (doneAt - t0) / 1000;
    console.log('');
    console.log(
      `system (retention-cleanup sweep -> outbox -> relay -> commands topic -> echo owners -> acks -> deletion log):`,
    );
    console.log(
      `  sweep issued ${fmtInt(sweep.issuedCount)} commands (outbox committed)   ${fmt1((issuedAt - t0) / 1000)} s`,
    );
    console.log(
      `  all commands delivered to the owners                  ${fmt1((lastDelivered - t0) / 1000)} s`,
    );
    console.log(
      `  all acknowledged (deletion log complete)              ${fmt1(total)} s  (${fmtInt(sweep.issuedCount / total)} erasures/s)`,
    );
    console.log(`  peak RSS of this process (service + echo owners)      ${fmt1(peak)} MiB`);
    const rawS = raws.length > 0 ? raws.reduce((a, r) => a + r.totalMs / 1000, 0) / raws.length : NaN;
    const ratio = rawS / total;
    if (raws.length > 0)
      console.log(
        `  ratio raw produce->consume (mean of ${raws.map((r) => fmt1(r.totalMs / 1000)).join(' s and ')} s) / system issue->all acked  ${ratio.toFixed(3)}  (issue 18 goal >= ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'MET' : 'NOT MET'})`,
      );
    console.log(
      `target: all acknowledged in under ${TARGET_SECONDS} s: ${total < TARGET_SECONDS ? 'met' : 'NOT met'} (${fmt1(total)} s)`,
    );
    const cpu = cpuPerEvent([
      ...(rawBefore
        ? [{ name: 'raw produce->consume (before)', events: COUNT, usage: rawBefore.usage }]
        : []),
      { name: 'sweep -> all acknowledged', events: sweep.issuedCount, usage },
      ...(rawAfter ? [{ name: 'raw produce->consume (after)', events: COUNT, usage: rawAfter.usage }] : []),
    ]);
    if (cpu.text) console.log(`\n${cpu.text}`);
    console.log(
      benchResultLine({
        bench: 'retention',
        erasures: sweep.issuedCount,
        sweepBatch: SWEEP_BATCH,
        sweepWorkers: config.SWEEP_WORKERS,
        loadAtStart,
        issuedSeconds: (issuedAt - t0) / 1000,
        deliveredSeconds: (lastDelivered - t0) / 1000,
        ackedSeconds: total,
        rawSeconds: raws.map((r) => r.totalMs / 1000),
        ratio: raws.length > 0 ? ratio : null,
        peakRssMiB: lifetimePeakRssMiB(),
        cpuMicrosPerEvent: cpu.json,
        failed: false,
      }),
    );
  } finally {
    await publisher?.stop();
    await app?.close();
    await db?.drop();
    if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
    for (const p of await rig.cleanup()) console.error(`clean-up: ${p}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`retention bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
