// Messaging benchmark: plain kafkajs vs the platform path (outbox -> relay -> Kafka -> inbox consumer),
// throughput and steady-rate latency, from one run against the local stack. See docs/benchmarks.md.
//   npm run bench:messaging                         100 000 records, 1 000 msg/s for 30 s
//   npm run bench:messaging -- --records 20000 --duration 10 --relay-batch 1000
//   npm run bench:messaging -- --help
import os from 'node:os';
import { DEFAULT_FETCH } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { BenchOptions, readOptions, usage } from './lib/options';
import { platformLatency, platformThroughput, PlatformThroughput } from './lib/platform';
import { LatencyPhase, rawLatency, rawThroughput, RawThroughput } from './lib/raw';
import { BenchRig } from './lib/rig';
import { cpuPerEvent, fmt1, fmtInt, GROUP_LABEL, table } from './lib/report';
import { CPU_GROUPS, lifetimePeakRssMiB, PhaseUsage } from './lib/stats';

/** The first issue's target: the platform path at one fifth of raw kafkajs throughput or better. */
const TARGET_RATIO = 0.2;
/** Issue 18's goal for the same ratio. */
const GOAL_RATIO = 0.35;

interface Results {
  rawTput?: RawThroughput;
  /** The same raw phase again after the platform phase: the machine's state may have changed meanwhile. */
  rawTputAfter?: RawThroughput;
  platTput?: PlatformThroughput;
  rawLat?: LatencyPhase;
  platLat?: LatencyPhase;
}

const perSec = (records: number, ms: number): number => (records * 1000) / ms;

function cpuRow(name: string, u: PhaseUsage): string[] {
  const g = u.cpuByGroup;
  return [
    name,
    fmt1(u.seconds),
    `${fmt1(u.eventLoopPct)}%`,
    ...CPU_GROUPS.map((k) => (g ? `${fmt1(g[k])}%` : '-')),
    u.machineCpuPct === undefined ? '-' : `${fmt1(u.machineCpuPct)}%`,
    fmt1(u.peakRssMiB),
  ];
}

/** What the machine-readable result line carries (filled while the report is written). */
const machine: {
  ratio?: number;
  rawRecordsPerSec?: number[];
  platformRecordsPerSec?: number;
  cpuMicrosPerRecord: Record<string, Record<string, number>>;
} = { cpuMicrosPerRecord: {} };

function report(o: BenchOptions, r: Results, loadAtStart: number[], rssAtStart: number): string {
  const out: string[] = [];
  const cpus = os.cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  out.push(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${fmt1(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; ` +
      `load average at start ${load(loadAtStart)}, at end ${load(os.loadavg())}`,
  );
  out.push(
    `settings: ${fmtInt(o.records)} records, partitions ${o.partitions}, write batch ${o.writeBatch}, raw in-flight ${o.rawInFlight}, ` +
      `relay batchSize ${o.relayBatch || 'default'}, consumer transactionBatchSize ${o.txBatch || 'default (fetched batch)'}, ` +
      `fetch maxBytesPerPartition ${o.fetchPartitionBytes || DEFAULT_FETCH.maxBytesPerPartition} maxBytes ${o.fetchBytes || DEFAULT_FETCH.maxBytes}, ` +
      `partitionsConsumedConcurrently ${o.concurrency}, pipelined ${o.pipelined}, pg pool ${o.poolSize}, handler ${o.handler}`,
  );
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  const { rawTput, platTput } = r;
  if (rawTput) {
    rows.push([
      'raw kafkajs: first send -> last consumed',
      fmt1(rawTput.totalMs / 1000),
      fmtInt(perSec(rawTput.records, rawTput.totalMs)),
    ]);
    rows.push([
      '  produce phase (acks=-1, until last ack)',
      fmt1(rawTput.produceMs / 1000),
      fmtInt(perSec(rawTput.records, rawTput.produceMs)),
    ]);
    cpuRows.push(cpuRow('raw throughput', rawTput.usage));
  }
  if (platTput) {
    const { records, writeMs, relayMs, totalMs, atWriteEnd } = platTput;
    rows.push([
      'platform: first outbox write -> last handler commit',
      fmt1(totalMs / 1000),
      fmtInt(perSec(records, totalMs)),
    ]);
    rows.push([
      '  write phase (addMany; relay + consumer running)',
      fmt1(writeMs / 1000),
      fmtInt(perSec(records, writeMs)),
    ]);
    rows.push([
      '  drain phase (last write commit -> last handler commit)',
      fmt1((totalMs - writeMs) / 1000),
      fmtInt(perSec(records - atWriteEnd.processed, totalMs - writeMs)),
    ]);
    rows.push([
      '  relay: first write -> last row published',
      fmt1(relayMs / 1000),
      fmtInt(perSec(records, relayMs)),
    ]);
    cpuRows.push(cpuRow('platform throughput', platTput.usage));
  }
  if (rows.length > 0) out.push('', table(['throughput', 'seconds', 'records/s'], rows));
  const { rawTputAfter } = r;
  if (rawTputAfter) {
    rows.push([
      'raw kafkajs again after the platform phase',
      fmt1(rawTputAfter.totalMs / 1000),
      fmtInt(perSec(rawTputAfter.records, rawTputAfter.totalMs)),
    ]);
    cpuRows.push(cpuRow('raw throughput (after)', rawTputAfter.usage));
  }
  if (rawTput && platTput) {
    const raws = [rawTput, ...(rawTputAfter ? [rawTputAfter] : [])].map((x) => perSec(x.records, x.totalMs));
    const rawRate = raws.reduce((a, b) => a + b, 0) / raws.length;
    const ratio = perSec(platTput.records, platTput.totalMs) / rawRate;
    out.push(
      '',
      `ratio platform / raw (mean of the raw runs before and after: ${raws.map(fmtInt).join(', ')} records/s): ${ratio.toFixed(3)} (1 : ${(1 / ratio).toFixed(1)}); ` +
        `issue 18 goal >= ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'MET' : 'NOT MET'}; first target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'}`,
    );
    machine.ratio = ratio;
    machine.rawRecordsPerSec = raws;
    machine.platformRecordsPerSec = perSec(platTput.records, platTput.totalMs);
  }
  // CPU spent per record, by process group: where the time goes.
  const cpu = cpuPerEvent([
    ...(rawTput ? [{ name: 'raw throughput', events: rawTput.records, usage: rawTput.usage }] : []),
    ...(platTput ? [{ name: 'platform throughput', events: platTput.records, usage: platTput.usage }] : []),
    ...(rawTputAfter
      ? [{ name: 'raw throughput (after)', events: rawTputAfter.records, usage: rawTputAfter.usage }]
      : []),
  ]);
  machine.cpuMicrosPerRecord = cpu.json;
  if (cpu.text) out.push('', cpu.text);
  if (platTput) {
    const c = platTput.check;
    const ok =
      c.applied === (o.handler === 'none' ? 0 : platTput.records) &&
      c.inbox === platTput.records &&
      c.outboxLeft === 0 &&
      c.deadLettered === 0;
    out.push(
      `platform at the last write commit: relay had published ${fmtInt(platTput.atWriteEnd.published)}, ` +
        `consumer had applied ${fmtInt(platTput.atWriteEnd.processed)}`,
      `platform check: ${fmtInt(c.applied)} handler rows, ${fmtInt(c.inbox)} inbox rows, ${c.outboxLeft} left in outbox, ` +
        `${c.deadLettered} dead-lettered, ${c.duplicates} duplicates -> ${ok ? 'ok' : 'MISMATCH'}`,
    );
  }
  const lat: [string, string, LatencyPhase | undefined][] = [
    ['raw kafkajs: before send -> eachBatch', 'raw latency', r.rawLat],
    ['platform: before outbox tx -> handler', 'platform latency', r.platLat],
  ];
  const latRows = lat.flatMap(([name, cpuName, phase]) => {
    if (!phase) return [];
    cpuRows.push(cpuRow(cpuName, phase.usage));
    const s = phase.latency.summary();
    return [
      [
        name,
        fmtInt(s.count),
        fmt1(s.p50),
        fmt1(s.p95),
        fmt1(s.p99),
        fmt1(s.max),
        fmtInt(phase.pacing.sent / phase.pacing.seconds),
        `${fmt1(phase.pacing.sendMs.p50)} / ${fmt1(phase.pacing.sendMs.p99)}`,
      ],
    ];
  });
  if (latRows.length > 0) {
    out.push(
      '',
      `latency (ms) at ${o.rate} msg/s for ${o.durationS} s after ${o.warmupS} s warm-up; one producer send / one outbox transaction per ${o.tickMs} ms tick`,
      table(['latency', 'samples', 'p50', 'p95', 'p99', 'max', 'achieved/s', 'send/commit p50/p99'], latRows),
    );
  }
  if (cpuRows.length > 0) {
    out.push(
      '',
      'CPU per phase: "event loop" = busy share of the benchmark process JS thread; the rest in % of one core (2 cores = 200%); "other procs" = everything else on the machine, e.g. other test runs',
      table(
        [
          'phase',
          'seconds',
          'event loop',
          ...CPU_GROUPS.map((g) => GROUP_LABEL[g]),
          'machine busy',
          'peak RSS MiB',
        ],
        cpuRows,
      ),
    );
  }
  out.push(
    '',
    `peak RSS of the benchmark process (getrusage maxrss): ${fmt1(lifetimePeakRssMiB())} MiB ` +
      `(${fmt1(rssAtStart)} MiB after start-up: ts-node, TypeScript and the libraries loaded)`,
  );
  return out.join('\n');
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage());
    return 0;
  }
  let options: BenchOptions;
  try {
    options = readOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  // Library logs (warnings and errors only) go to stderr so stdout is just the report.
  // The idempotent producers (relay, consumer's dead-letter producer) each make kafkajs log "Limiting retries
  // for the idempotent producer may invalidate EoS guarantees" (createKafka sets retries: 8): counted, not shown.
  let eosWarnings = 0;
  configureLogging({
    service: 'bench',
    level: 'warn',
    sink: {
      write: (line) => {
        if (line.includes('Limiting retries for the idempotent producer')) eosWarnings++;
        else process.stderr.write(line);
      },
    },
  });

  const rig = new BenchRig(options);
  let interrupted = false;
  process.once('SIGINT', () => {
    // A second Ctrl-C kills at once (the default handler is back).
    interrupted = true;
    console.error('\ninterrupted: stopping clients, deleting topics, groups, subjects and databases ...');
    void rig.cleanup().then((problems) => {
      for (const p of problems) console.error(`clean-up: ${p}`);
      process.exit(130);
    });
  });

  const loadAtStart = os.loadavg();
  const rssAtStart = process.memoryUsage.rss() / 2 ** 20;
  const results: Results = {};
  const step = (what: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${what}`);
  let failed = false;
  try {
    step(
      `run ${rig.runId}: ${fmtInt(options.records)} records, latency ${options.rate}/s for ${options.durationS} s`,
    );
    if (options.phases.has('throughput')) {
      step('raw kafkajs throughput ...');
      results.rawTput = await rawThroughput(rig);
      step(`  ${fmtInt(perSec(results.rawTput.records, results.rawTput.totalMs))} records/s`);
      step('platform throughput ...');
      results.platTput = await platformThroughput(rig);
      step(`  ${fmtInt(perSec(results.platTput.records, results.platTput.totalMs))} records/s`);
      step('raw kafkajs throughput again ...');
      results.rawTputAfter = await rawThroughput(rig, 'raw-tput-after');
      step(`  ${fmtInt(perSec(results.rawTputAfter.records, results.rawTputAfter.totalMs))} records/s`);
    }
    if (options.phases.has('latency')) {
      step('raw kafkajs latency ...');
      results.rawLat = await rawLatency(rig);
      step(`  p99 ${fmt1(results.rawLat.latency.summary().p99)} ms`);
      step('platform latency ...');
      results.platLat = await platformLatency(rig);
      step(`  p99 ${fmt1(results.platLat.latency.summary().p99)} ms`);
    }
  } catch (error) {
    failed = true;
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    if (interrupted) {
      await rig.cleanup(); // the SIGINT handler reports and exits when it is done
      await new Promise(() => undefined);
    }
    step('cleaning up ...');
    const problems = await rig.cleanup();
    for (const p of problems) console.error(`clean-up: ${p}`);
  }
  console.log(`\n${report(options, results, loadAtStart, rssAtStart)}`);
  const latency = (p: LatencyPhase | undefined) => (p ? p.latency.summary() : undefined);
  console.log(
    `BENCH_RESULT ${JSON.stringify({
      bench: 'messaging',
      records: options.records,
      loadAtStart,
      loadAtEnd: os.loadavg(),
      ...machine,
      latencyMs: { raw: latency(results.rawLat), platform: latency(results.platLat) },
      failed,
    })}`,
  );
  if (eosWarnings > 0)
    console.log(
      `(kafkajs warned ${eosWarnings}x "Limiting retries for the idempotent producer may invalidate EoS guarantees"; not shown)`,
    );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
