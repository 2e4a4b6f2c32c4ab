import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { eventually } from '@divit/testing';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it is true (eventually; throws at the deadline); resolves with Date.now() of the first true probe. */
export async function waitUntil(
  probe: () => boolean,
  what: string,
  timeoutMs: number,
  everyMs = 2,
): Promise<number> {
  await eventually(probe, { description: what, until: (ok) => ok, timeoutMs, intervalMs: everyMs });
  return Date.now();
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles (sorts a copy). */
export function percentiles(samples: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number): number =>
    sorted.length === 0
      ? NaN
      : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

/** Latency samples in a preallocated buffer (bounded memory: rate x duration numbers). */
export class LatencyRecorder {
  private readonly buffer: Float64Array;
  private n = 0;
  dropped = 0;

  constructor(capacity: number) {
    this.buffer = new Float64Array(capacity);
  }

  record(ms: number): void {
    if (this.n < this.buffer.length) this.buffer[this.n++] = ms;
    else this.dropped++;
  }

  get count(): number {
    return this.n;
  }

  summary(): Percentiles {
    return percentiles(this.buffer.subarray(0, this.n));
  }
}

interface CpuTimes {
  busy: number;
  total: number;
}

/** Whole-machine CPU jiffies from /proc/stat (Linux); undefined elsewhere. */
function machineCpu(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Who used the CPU: this process, the stack's parts, and everything else on the machine. */
export const CPU_GROUPS = ['bench', 'pg-bench', 'pg-other', 'kafka', 'registry', 'other'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

function classify(pid: number, comm: string, cmdline: string): CpuGroup {
  if (pid === process.pid) return 'bench';
  if (comm === 'postgres') return cmdline.includes(' t_bench_') ? 'pg-bench' : 'pg-other';
  if (cmdline.includes('divit.stack.part=kafka')) return 'kafka';
  if (cmdline.includes('divit.stack.part=registry')) return 'registry';
  return 'other';
}

/** utime + stime (clock ticks) of every live process, by pid (Linux /proc). */
function processTicks(): Map<number, { group: CpuGroup; ticks: number }> {
  const out = new Map<number, { group: CpuGroup; ticks: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' '); // fields[0] is field 3 (state)
      const ticks = Number(fields[11]) + Number(fields[12]); // utime (14), stime (15)
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.set(Number(pid), { group: classify(Number(pid), comm, ` ${cmdline}`), ticks });
    } catch {
      // the process went away
    }
  }
  return out;
}

/** utime + stime of one process, in clock ticks; undefined once it is gone. */
function ticksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100; // USER_HZ, 100 on every mainstream Linux

export interface PhaseUsage {
  seconds: number;
  /** CPU of this Node process (user + system, all threads incl. GC) as % of one core. */
  nodeCpuPct: number;
  /** Share of the phase the event loop (the one JS thread running writer, relay and consumer) was busy, %. */
  eventLoopPct: number;
  /** Busy share of the whole machine (all cores, all processes), %; undefined off Linux. */
  machineCpuPct: number | undefined;
  /**
   * CPU per group, % of ONE core (so up to cores x 100 in total): this process, PostgreSQL backends of the
   * benchmark's databases, the rest of PostgreSQL, the Kafka broker, the registry, and everything else
   * (other users' tests; processes that ended during the phase land here too).
   */
  cpuByGroup: Record<CpuGroup, number> | undefined;
  /** Highest RSS of this process sampled during the phase (every 100 ms), MiB. */
  peakRssMiB: number;
}

/** CPU and RSS of one measured interval. */
export class PhaseMeter {
  private readonly procs0 = processTicks();
  private readonly machine0 = machineCpu();
  private readonly cpu0 = process.cpuUsage();
  private readonly elu0 = performance.eventLoopUtilization();
  private readonly t0 = performance.now();
  private peakRss = process.memoryUsage.rss();
  /** Child processes of this benchmark (the import CLI): their last sampled CPU ticks, kept after they exit. */
  private readonly children = new Map<number, number>();
  /**
   * Every process seen during the phase with its last sampled ticks (a full /proc scan every 500 ms): a process that
   * ends before the phase does (a PostgreSQL backend of a closed connection, the import CLI) still counts in its
   * group, all but its last 500 ms at most, instead of landing in `other`.
   */
  private readonly seen = new Map<number, { group: CpuGroup; ticks: number }>();
  private ticksSinceScan = 0;
  private readonly timer = setInterval(() => {
    this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
    this.sampleChildren();
    if (++this.ticksSinceScan >= 5) {
      this.ticksSinceScan = 0;
      for (const [pid, p] of processTicks()) this.seen.set(pid, p);
    }
  }, 100);

  /**
   * Counts a child process (started during the phase) as the benchmark's own CPU (`bench`): sampled every 100 ms,
   * so its work is counted even when it exits before the phase ends (all but its last 100 ms at most).
   */
  trackChild(pid: number): void {
    this.children.set(pid, 0);
    this.sampleChildren();
  }

  private sampleChildren(): void {
    for (const pid of this.children.keys()) {
      const ticks = ticksOf(pid);
      if (ticks !== undefined) this.children.set(pid, ticks);
    }
  }

  stop(): PhaseUsage {
    clearInterval(this.timer);
    this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
    const seconds = (performance.now() - this.t0) / 1000;
    const cpu = process.cpuUsage(this.cpu0);
    const m1 = machineCpu();
    const m0 = this.machine0;
    const procs1 = processTicks();
    let cpuByGroup: Record<CpuGroup, number> | undefined;
    if (m0 && m1 && m1.total > m0.total && procs1.size > 0) {
      const ticks: Record<CpuGroup, number> = {
        bench: 0,
        'pg-bench': 0,
        'pg-other': 0,
        kafka: 0,
        registry: 0,
        other: 0,
      };
      for (const [pid, p] of procs1) this.seen.set(pid, p);
      for (const [pid, p] of this.seen)
        if (!this.children.has(pid)) ticks[p.group] += p.ticks - (this.procs0.get(pid)?.ticks ?? 0);
      for (const childTicks of this.children.values()) ticks.bench += childTicks;
      const pct = (t: number): number => (t / CLOCK_TICKS / seconds) * 100;
      cpuByGroup = { bench: 0, 'pg-bench': 0, 'pg-other': 0, kafka: 0, registry: 0, other: 0 };
      for (const g of CPU_GROUPS) cpuByGroup[g] = pct(ticks[g]);
      // Busy time the processes seen do not explain (their last 500 ms before ending, kernel threads) is "other".
      const explained = Object.values(ticks).reduce((a, b) => a + b, 0);
      cpuByGroup.other += Math.max(0, pct(m1.busy - m0.busy - explained));
    }
    return {
      seconds,
      nodeCpuPct: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
      eventLoopPct: performance.eventLoopUtilization(this.elu0).utilization * 100,
      machineCpuPct:
        m0 && m1 && m1.total > m0.total ? ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100 : undefined,
      cpuByGroup,
      peakRssMiB: this.peakRss / 1024 / 1024,
    };
  }
}

/** Peak resident set size of this process over its whole life (getrusage ru_maxrss), MiB. */
export function lifetimePeakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export interface PacingResult {
  sent: number;
  seconds: number;
  /** Duration of each send/commit (ms): one outbox transaction or one acks=-1 producer send. */
  sendMs: Percentiles;
}

/**
 * Sends `rate` messages per second for `seconds`, one call of `send(from, count)` per tick with the messages
 * due by then (so a slow tick is caught up by the next one instead of drifting). Calls are not overlapped.
 */
export async function pace(
  rate: number,
  seconds: number,
  tickMs: number,
  send: (from: number, count: number) => Promise<void>,
): Promise<PacingResult> {
  const total = Math.round(rate * seconds);
  const sendMs = new LatencyRecorder(Math.ceil((seconds * 1000) / tickMs) + 16);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    if (due > sent) {
      const t = performance.now();
      await send(sent, due - sent);
      sendMs.record(performance.now() - t);
      sent = due;
    }
    const elapsed = performance.now() - start;
    const wait = (Math.floor(elapsed / tickMs) + 1) * tickMs - elapsed;
    await sleep(wait);
  }
  return { sent, seconds: (performance.now() - start) / 1000, sendMs: sendMs.summary() };
}
