// What every benchmark prints the same way: a plain-text table, CPU microseconds per event by process group
// (where the time of one event goes: this node process, the benchmark's PostgreSQL backends, the broker, the
// registry) and the machine-readable `BENCH_RESULT {...}` line scripts read (issue 18 item 6).
import os from 'node:os';
import { CPU_GROUPS, CpuGroup, PhaseUsage } from './stats';

export const fmt1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
export const fmtInt = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const GROUP_LABEL: Record<CpuGroup, string> = {
  bench: 'bench node',
  'pg-bench': 'pg (bench dbs)',
  'pg-other': 'pg (other)',
  kafka: 'kafka',
  registry: 'registry',
  other: 'other procs',
};

/** The groups an event's cost is attributed to; `pg-other` and `other` are foreign load, shown apart. */
const COST_GROUPS = CPU_GROUPS.filter((g) => g !== 'pg-other' && g !== 'other');

export interface MeasuredPhase {
  name: string;
  /** Events the phase moved (records, decisions' input events, erasures): the divisor. */
  events: number;
  usage: PhaseUsage;
}

export interface CpuPerEvent {
  /** The printed table (empty when /proc could not be read). */
  text: string;
  /** Per phase: CPU µs per event by group, their total, and the foreign load (% of one core) beside it. */
  json: Record<string, Record<string, number>>;
}

/**
 * CPU microseconds (user + system) per event, by process group, for each measured phase: the system phase next to
 * its raw baselines shows where the platform's extra cost goes. The foreign-load columns (`pg (other)`,
 * `other procs`, % of one core) say whether the phase ran on a quiet machine.
 */
export function cpuPerEvent(phases: MeasuredPhase[]): CpuPerEvent {
  const json: CpuPerEvent['json'] = {};
  const rows: string[][] = [];
  for (const p of phases) {
    const g = p.usage.cpuByGroup;
    if (!g || p.events <= 0) continue;
    const us = (pct: number) => ((pct / 100) * p.usage.seconds * 1e6) / p.events;
    const cells = COST_GROUPS.map((k) => us(g[k]));
    const total = cells.reduce((a, b) => a + b, 0);
    json[p.name] = {
      ...Object.fromEntries(COST_GROUPS.map((k, i) => [k, round1(cells[i] ?? NaN)])),
      total: round1(total),
      foreignPgPct: round1(g['pg-other']),
      foreignOtherPct: round1(g.other),
    };
    rows.push([
      p.name,
      fmtInt(p.events),
      ...cells.map(fmt1),
      fmt1(total),
      `${fmt1(g['pg-other'])}% / ${fmt1(g.other)}%`,
    ]);
  }
  if (rows.length === 0) return { text: '', json };
  const text = [
    'CPU microseconds per event (user + system), by process: the cost of one event end to end',
    table(
      [
        'phase',
        'events',
        ...COST_GROUPS.map((k) => GROUP_LABEL[k]),
        'total',
        'foreign load (pg other / other procs)',
      ],
      rows,
    ),
  ].join('\n');
  return { text, json };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** The machine line every benchmark starts its report with. */
export function machineLine(loadAtStart: number[]): string {
  const cpus = os.cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  return (
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${fmt1(os.totalmem() / 2 ** 30)} GiB, node ${process.version}; ` +
    `load average at start ${load(loadAtStart)}, at end ${load(os.loadavg())}`
  );
}

/** The last line of every benchmark: its figures as one JSON object for scripts. */
export function benchResultLine(result: { bench: string } & Record<string, unknown>): string {
  return `BENCH_RESULT ${JSON.stringify({ ...result, loadAtEnd: os.loadavg() })}`;
}

/** Mean of the raw runs before and after the system phase (both printed; a drift shows as two figures). */
export function meanRate(rates: number[]): number {
  return rates.reduce((a, b) => a + b, 0) / rates.length;
}
