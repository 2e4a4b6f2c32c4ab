// Service start-up and idle memory benchmark (docs/benchmarks.md#services-start-up-and-idle-memory).
//
// For each service, one at a time, against the local stack: migrate its database (not timed), start the built
// process (`node services/<service>/dist/main.js`, the environment `tools/services.sh` gives a local run), time
// from spawn to the first 200 of GET /health/ready (polled every 20 ms), let it idle while reading its resident
// memory (VmRSS) every 5 s, then read its peak (VmHWM) from /proc, and stop it with SIGTERM (time to exit).
// Idle RSS is not one figure: V8 keeps the young generation start-up grew (32 MiB reserved) until its memory
// reducer runs, 20-40 s into idleness, which drops RSS by about 30 MiB; the consumers' polling then grows it
// again over minutes. So the table prints RSS 10 s after ready and the least, the most and the last reading of
// the idle time (60 s by default), and judges the goal by the most, the figure an idle replica must be given
// memory for. The raw baseline, measured
// the same way in the same run before and after the services: a bare node HTTP server answering /health/ready.
//
//   npm run bench:services                      every service, 60 s idle
//   npm run bench:services -- --idle 30 --services consent,registration
//
// Provisions topics and registers schemas first (the deploy steps, as npm start does). Needs the stack
// (npm run stack:up) and free ports 3901..3907; the services of `npm start` may keep running
// (other ports), but their consumer groups then rebalance while a measured process joins.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';

const ALL = [
  'registration',
  'consent',
  'identity-validation',
  'income-retrieval',
  'billing-reconciliation',
  'retention-cleanup',
] as const;
/** The goals of issue 18: idle RSS and start-to-ready per service. */
const GOAL_RSS_MB = 120;
const GOAL_READY_MS = 3000;

interface Measured {
  name: string;
  readyMs: number;
  /** VmRSS 10 s after ready (or at the end of a shorter idle time). */
  rss10sMiB: number;
  /** VmRSS at the end of the idle time. */
  rssMiB: number;
  /** The least and the most VmRSS of the idle time's readings (the goal is judged by the most). */
  rssMinMiB: number;
  rssMaxMiB: number;
  /** Every VmRSS reading, one per 5 s of idle time. */
  rssSeriesMiB: number[];
  peakMiB: number;
  exitMs: number;
}

const { values } = parseArgs({
  options: {
    idle: { type: 'string', default: process.env.BENCH_IDLE ?? '60' },
    services: { type: 'string', default: process.env.BENCH_SERVICES ?? ALL.join(',') },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'npm run bench:services -- [--idle SECONDS (10)] [--services a,b (all six)]\n' +
      'Starts each built service alone, times spawn -> /health/ready, reads idle RSS, stops it; raw baseline: a bare node HTTP server.\n',
  );
  process.exit(0);
}
const idleMs = Number(values.idle) * 1000;
const services = values.services.split(',').map((s) => s.trim());
for (const s of services)
  if (!(ALL as readonly string[]).includes(s))
    throw new Error(`unknown service ${s}; one of ${ALL.join(', ')}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function ready(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function stop(child: ChildProcess): Promise<number> {
  const t0 = Date.now();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
  return Date.now() - t0;
}

/** Spawns, waits for readiness, idles, reads memory, stops. */
async function measure(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<Measured> {
  const t0 = Date.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await ready(port, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name}: ${(error as Error).message}\n${stderr}`);
  }
  const readyMs = Date.now() - t0;
  const series: number[] = [];
  const readyAt = Date.now();
  let rss10s: number | undefined;
  for (let elapsed = 0; elapsed < idleMs;) {
    const step = Math.min(5_000, idleMs - elapsed);
    await sleep(step);
    elapsed += step;
    const { rss } = memoryMiB(child.pid!);
    series.push(rss);
    if (rss10s === undefined && Date.now() - readyAt >= 10_000) rss10s = rss;
  }
  const { rss, peak } = memoryMiB(child.pid!);
  const exitMs = await stop(child);
  return {
    name,
    readyMs,
    rss10sMiB: rss10s ?? rss,
    rssMiB: rss,
    rssMinMiB: Math.min(...series, rss),
    rssMaxMiB: Math.max(...series, rss),
    rssSeriesMiB: series,
    peakMiB: peak,
    exitMs,
  };
}

const BARE_SERVER = `require('node:http').createServer((q, s) => { s.writeHead(q.url === '/health/ready' ? 200 : 404); s.end(); }).listen(Number(process.env.PORT), '127.0.0.1')`;

function serviceEnv(service: string, port: number): NodeJS.ProcessEnv {
  const lines = execFileSync('bash', ['tools/services.sh', 'env', service], { encoding: 'utf8' }).split('\n');
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  for (const line of lines) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  env.PORT = String(port);
  env.LOG_LEVEL = 'warn';
  return env;
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const rows: Measured[] = [];
  rows.push(
    await measure(
      'raw: bare node HTTP server (before)',
      ['-e', BARE_SERVER],
      { ...process.env, PORT: '3907' },
      3907,
    ),
  );
  let port = 3901;
  for (const service of services) {
    const env = serviceEnv(service, port);
    execFileSync(process.execPath, [`services/${service}/dist/database/migrate.js`, 'run'], {
      env,
      stdio: 'ignore',
    });
    process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${service} ...\n`);
    rows.push(await measure(service, [`services/${service}/dist/main.js`], env, port));
    port++;
  }
  rows.push(
    await measure(
      'raw: bare node HTTP server (after)',
      ['-e', BARE_SERVER],
      { ...process.env, PORT: '3907' },
      3907,
    ),
  );

  const cpus = os.cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const out: string[] = [];
  out.push(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; load average at start ${load(loadAtStart)}, at end ${load(os.loadavg())}`,
    `settings: idle ${idleMs / 1000} s, RSS read every 5 s (10 s after ready and at the end); goals (issue 18): idle RSS (the most of the idle readings) < ${GOAL_RSS_MB} MB, start to ready < ${GOAL_READY_MS / 1000} s`,
    '',
  );
  const head = [
    'process',
    'start->ready ms',
    'RSS at 10 s MiB',
    'idle RSS min MiB',
    'max MiB',
    `at ${idleMs / 1000} s MiB`,
    'peak RSS MiB',
    'SIGTERM->exit ms',
    'goals',
  ];
  const body = rows.map((r) => [
    r.name,
    String(r.readyMs),
    r.rss10sMiB.toFixed(1),
    r.rssMinMiB.toFixed(1),
    r.rssMaxMiB.toFixed(1),
    r.rssMiB.toFixed(1),
    r.peakMiB.toFixed(1),
    String(r.exitMs),
    r.name.startsWith('raw')
      ? '-'
      : `${r.rssMaxMiB * 1.048576 < GOAL_RSS_MB ? 'rss met' : 'rss NOT met'}, ${r.readyMs < GOAL_READY_MS ? 'ready met' : 'ready NOT met'}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === 8 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push(line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line));
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(
    `BENCH_RESULT ${JSON.stringify({ bench: 'services', idleSeconds: idleMs / 1000, loadAtStart, rows })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
