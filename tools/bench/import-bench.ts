// Dossier import benchmark (services/registration/docs/dossier-import.md): generates a CSV of N rows with
// duplicates and bad rows, then, in one run against a fresh database on the local PostgreSQL:
//   1. raw COPY of the same file into a plain table of text columns (pg-copy-streams), the floor;
//   2. the real import: the compiled CLI (a separate process, so its memory is the import's alone), full load;
//   3. the same file again (idempotent re-run: nothing may change).
//   npm run bench:import                               1 000 000 rows, 5 % duplicates, 1 % bad rows
//   npm run bench:import -- --rows 200000 --keep
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import { loadRegistrationConfig } from '@divit/registration-service/src/config/registration.config';
import { registrationDataSourceOptions } from '@divit/registration-service/src/database/data-source';
import { benchResultLine, cpuPerEvent, fmt1, fmtInt, table } from './lib/report';
import { PhaseMeter, PhaseUsage } from './lib/stats';

const root = resolve(__dirname, '../..');
const CLI = join(root, 'services/registration/dist/dossier-import/cli.js');
const TARGET_SECONDS = 300;
const TARGET_RSS_MIB = 300;

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    duplicates: { type: 'string', default: '0.05' },
    bad: { type: 'string', default: '0.01' },
    organisations: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    'no-rerun': { type: 'boolean', default: false },
  },
});
const ROWS = Number(opts.rows);
const DUP_RATE = Number(opts.duplicates);
const BAD_RATE = Number(opts.bad);
const ORGS = Number(opts.organisations);

// Deterministic PRNG (mulberry32): the same file on every run.
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [
  'Jansen',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'Mulder',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'Dekker',
  'Brouwer',
  'Dijkstra',
  'Çelik',
  'Yılmaz',
  'El Amrani',
  'Öztürk',
  'Nguyen',
  'Müller',
  'Bouzid',
];
const PREFIXES = ['', '', '', 'de', 'van', 'van der', 'van den', "van 't"];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEADER =
  'source_system,dossier_number,surname_prefix,surname,birth_date,gender_marker,postcode,house_number,' +
  'house_number_addition,email,phone,registration_date,organisation_id\n';

interface Person {
  prefix: string;
  surname: string;
  birth: string;
  gender: string;
  pc: number;
  letters: string;
  house: number;
  org: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function date(rand: () => number, fromYear: number, years: number): string {
  return `${fromYear + Math.floor(rand() * years)}-${pad(1 + Math.floor(rand() * 12))}-${pad(1 + Math.floor(rand() * 28))}`;
}

/** Writes the file with backpressure; returns the exact numbers of new, duplicate and bad rows. */
async function generate(
  file: string,
  orgIds: string[],
): Promise<{ persons: number; duplicates: number; bad: number }> {
  const rand = prng(20260115);
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const recent: Person[] = []; // ring buffer of earlier persons to duplicate (bounded memory)
  let persons = 0;
  let duplicates = 0;
  let bad = 0;
  let chunk = HEADER;
  for (let i = 0; i < ROWS; i++) {
    const r = rand();
    let p: Person;
    let surname: string;
    let postcode: string;
    let regDate = '';
    let birth: string;
    if (r < DUP_RATE + BAD_RATE && r >= BAD_RATE && recent.length > 0) {
      // The same person again in another dossier, written differently: case, postcode spacing.
      p = recent[Math.floor(rand() * recent.length)] as Person;
      duplicates++;
      surname = p.surname.toUpperCase();
      postcode = `${p.pc}${p.letters.toLowerCase()}`;
      birth = p.birth;
    } else {
      const n = persons++;
      p = {
        prefix: PREFIXES[Math.floor(rand() * PREFIXES.length)] ?? '',
        surname: SURNAMES[Math.floor(rand() * SURNAMES.length)] ?? 'Jansen',
        birth: date(rand, 1935, 68),
        gender: 'MVX'[Math.floor(rand() * 2.02)] ?? 'X',
        // Unique postcode per person: 9 000 numbers x 676 letter pairs.
        pc: 1000 + (n % 9000),
        letters: `${LETTERS[Math.floor(n / 9000) % 26]}${LETTERS[Math.floor(n / 234000) % 26]}`,
        house: 1 + Math.floor(rand() * 300),
        org: orgIds[Math.floor(rand() * orgIds.length)] as string,
      };
      surname = p.surname;
      postcode = `${p.pc} ${p.letters}`;
      birth = p.birth;
      if (r < BAD_RATE) {
        // A bad row (structurally valid CSV, so the raw COPY takes it too): one invalid field.
        persons--;
        bad++;
        const kind = i % 5;
        if (kind === 0) birth = birth.slice(0, 5) + '02-30';
        if (kind === 1) postcode = '12345';
        if (kind === 2) surname = '';
        if (kind === 3) p = { ...p, org: '00000000-0000-4000-8000-000000000000' };
        if (kind === 4) regDate = '2099-01-01';
      } else if (recent.length < 10_000) recent.push(p);
      else recent[Math.floor(rand() * recent.length)] = p;
    }
    if (regDate === '') {
      // Registered as an adult, from 2000 on, before 2026.
      const from = Math.max(2000, Number(birth.slice(0, 4)) + 18);
      regDate = date(rand, from, Math.max(1, 2026 - from));
    }
    const email = rand() < 0.6 ? `p${i}@example.nl` : '';
    const phone = rand() < 0.5 ? `06${pad(Math.floor(rand() * 1e8), 8)}` : '';
    const addition = rand() < 0.1 ? 'A' : '';
    chunk += `bench,D${i + 1},${p.prefix},${surname},${birth},${p.gender},${postcode},${p.house},${addition},${email},${phone},${regDate},${p.org}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { persons, duplicates, bad };
}

interface CliResult {
  loadId: string;
  counts: Record<string, number>;
  timings: { readingMs: number; mergingMs: number; totalMs: number };
  rowsPerSecond: number;
  peakRssMiB: number;
  maxRssMiB: number;
}

interface CliRun {
  code: number | null;
  result: CliResult;
  wallMs: number;
  /** CPU of the CLI process (counted as `bench`), the import database's backends and the rest, per phase. */
  usage: PhaseUsage;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const started = Date.now();
  const meter = new PhaseMeter();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.pid) meter.trackChild(child.pid);
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      try {
        const usage = meter.stop();
        done({ code, result: JSON.parse(stdout) as CliResult, wallMs: Date.now() - started, usage });
      } catch {
        fail(new Error(`the import CLI exited with ${code} and no result`));
      }
    });
  });
}

/** The floor: the same file through COPY into a table of text columns; CPU measured while the backend lives. */
async function rawCopy(
  db: TestDatabase,
  file: string,
): Promise<{ rows: number; ms: number; usage: PhaseUsage }> {
  const client = new Client({
    host: '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: 'postgres',
    database: db.name,
  });
  await client.connect();
  try {
    const columns = HEADER.trim()
      .split(',')
      .map((c) => `"${c}" text`)
      .join(', ');
    await client.query(`CREATE TABLE raw_copy_baseline (${columns})`);
    const meter = new PhaseMeter();
    const started = Date.now();
    const copy = client.query(copyFrom(`COPY raw_copy_baseline FROM STDIN WITH (FORMAT csv, HEADER)`));
    await pipeline(createReadStream(file, { highWaterMark: 1 << 16 }), copy);
    const ms = Date.now() - started;
    return { rows: copy.rowCount, ms, usage: meter.stop() };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const dir = await mkdtemp(join(os.tmpdir(), 'import-bench-'));
  const file = join(dir, 'dossiers.csv');
  const seed = loadRegistrationConfig({});
  const db = await createTestDatabase({
    prefix: 'bench_import', // t_bench_…: its backends are the 'pg (bench dbs)' CPU group
    options: registrationDataSourceOptions(seed),
  });
  try {
    const orgIds = Array.from({ length: ORGS }, (_, i) => `00000000-0000-4000-8000-${pad(i + 1, 12)}`);
    await db.dataSource.query(
      `INSERT INTO organisations (id, name, kind) SELECT id::uuid, 'Bench corporation ' || n, 'CORPORATION'
       FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)`,
      [orgIds],
    );
    process.stderr.write(`generating ${fmtInt(ROWS)} rows in ${file} ...\n`);
    const t0 = Date.now();
    const gen = await generate(file, orgIds);
    const size = (await stat(file)).size;
    process.stderr.write(`generated ${fmt1(size / 2 ** 20)} MiB in ${fmt1((Date.now() - t0) / 1000)} s\n`);

    process.stderr.write('raw COPY baseline ...\n');
    const raw = await rawCopy(db, file);
    await db.dataSource.query(`DROP TABLE raw_copy_baseline`);

    const env = { ...process.env, DB_NAME: db.name, DB_USER: 'postgres', LOG_LEVEL: 'warn' };
    const cliArgs = [
      'import',
      '--file',
      file,
      '--mode',
      'full',
      '--source',
      'bench',
      '--rejects',
      join(dir, 'rejects.csv'),
    ];
    process.stderr.write('import (full load) ...\n');
    const full = await runCli(cliArgs, env);
    process.stderr.write('raw COPY baseline again ...\n');
    const rawAfter = await rawCopy(db, file);
    await db.dataSource.query(`DROP TABLE raw_copy_baseline`);
    const rerun = opts['no-rerun']
      ? undefined
      : (process.stderr.write('import again (same file) ...\n'), await runCli(cliArgs, env));
    const [regs] = await db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM registrations`);

    const cpus = os.cpus();
    const out: string[] = [];
    out.push(
      `machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? '?'}, ${fmt1(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ` +
        `PostgreSQL on 127.0.0.1; load average at end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    out.push(
      `file: ${fmtInt(ROWS)} rows, ${fmt1(size / 2 ** 20)} MiB; generated ${fmtInt(gen.persons)} persons, ` +
        `${fmtInt(gen.duplicates)} duplicate dossiers, ${fmtInt(gen.bad)} bad rows`,
    );
    const row = (label: string, r: { result: CliResult; wallMs: number }) => [
      label,
      fmtInt(r.result.counts.rowsRead ?? 0),
      fmt1(r.result.timings.totalMs / 1000),
      fmtInt(r.result.rowsPerSecond),
      `${fmt1(r.result.timings.readingMs / 1000)} + ${fmt1(r.result.timings.mergingMs / 1000)}`,
      fmt1(r.result.maxRssMiB),
    ];
    const copyRow = (label: string, r: { rows: number; ms: number }) => [
      label,
      fmtInt(r.rows),
      fmt1(r.ms / 1000),
      fmtInt((r.rows * 1000) / r.ms),
      '',
      '',
    ];
    const rows = [
      copyRow('raw COPY (text table, no checks)', raw),
      row('import, full load (CLI)', full),
      copyRow('raw COPY again, after the import', rawAfter),
      ...(rerun ? [row('import, same file again', rerun)] : []),
    ];
    out.push(table(['phase', 'rows', 'seconds', 'rows/s', 'read + merge s', 'peak RSS MiB'], rows));
    const c = full.result.counts;
    out.push(
      `full load: registrations ${fmtInt(c.registrationsCreated ?? 0)} (expected ${fmtInt(gen.persons)}), ` +
        `duplicates merged ${fmtInt(c.duplicatesMerged ?? 0)} (expected ${fmtInt(gen.duplicates)}), ` +
        `rejected ${fmtInt(c.rowsRejected ?? 0)} (expected ${fmtInt(gen.bad)}); registrations in table ${fmtInt(regs?.n ?? 0)}; exit ${full.code}`,
    );
    if (rerun) {
      const r = rerun.result.counts;
      out.push(
        `re-run: unchanged ${fmtInt(r.rowsUnchanged ?? 0)}, new ${r.dossiersNew}, changed ${r.dossiersChanged}, ` +
          `registrations created ${r.registrationsCreated}, updated ${r.registrationsUpdated}`,
      );
    }
    const seconds = full.result.timings.totalMs / 1000;
    // The CLI exits non-zero when it rejected rows (the file has bad rows on purpose): judge by the counts.
    const imported =
      c.registrationsCreated === gen.persons &&
      c.duplicatesMerged === gen.duplicates &&
      c.rowsRejected === gen.bad;
    const rawMs = (raw.ms + rawAfter.ms) / 2;
    out.push(
      `target: whole import under ${TARGET_SECONDS} s and memory under ${TARGET_RSS_MIB} MiB -> ` +
        `${seconds < TARGET_SECONDS ? 'met' : 'MISSED'} (${fmt1(seconds)} s), ${full.result.maxRssMiB < TARGET_RSS_MIB ? 'met' : 'MISSED'} (${fmt1(full.result.maxRssMiB)} MiB); ` +
        `import = ${fmt1((rawMs / full.result.timings.totalMs) * 100)} % of raw COPY speed (mean of the two COPY runs)`,
    );
    const cpu = cpuPerEvent([
      { name: 'raw COPY (before)', events: raw.rows, usage: raw.usage },
      {
        name: 'import, full load (CLI = bench node)',
        events: full.result.counts.rowsRead ?? ROWS,
        usage: full.usage,
      },
      { name: 'raw COPY (after)', events: rawAfter.rows, usage: rawAfter.usage },
    ]);
    if (cpu.text) out.push('', cpu.text.replace('per event', 'per row'));
    console.log(out.join('\n'));
    console.log(
      benchResultLine({
        bench: 'import',
        rows: ROWS,
        loadAtStart,
        rawCopySeconds: [raw.ms / 1000, rawAfter.ms / 1000],
        importSeconds: seconds,
        importPeakRssMiB: full.result.maxRssMiB,
        ratio: rawMs / full.result.timings.totalMs,
        rerunSeconds: rerun ? rerun.result.timings.totalMs / 1000 : null,
        cpuMicrosPerRow: cpu.json,
        failed: !imported,
      }),
    );
  } finally {
    if (opts.keep) process.stderr.write(`kept ${file} and database ${db.name}\n`);
    else {
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
