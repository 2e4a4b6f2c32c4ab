/**
 * Dossier import command line (docs/dossier-import.md):
 *   node services/registration/dist/dossier-import/cli.js import --file F --mode full|delta --source X [--rejects R]
 *   node services/registration/dist/dossier-import/cli.js export-concordance --out F [--source X]
 *   node services/registration/dist/dossier-import/cli.js export-rejects --load ID --out F
 * Every command takes [--operator NAME] (default: the operating-system user): who is access-logged.
 * Database settings come from the service's environment (PGHOST, PGPORT, DB_NAME, DB_USER, DB_PASSWORD).
 * Progress goes to stderr, the result (counts, timings, peak memory) as one JSON line to stdout.
 * Exit codes: 0 done · 5 done, with rejected rows (see the rejects file) · 2 usage · 3 bad file
 * (header, not CSV, unreadable) · 4 refused (another import runs, delta before full) · 1 unexpected failure.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { configureLogging } from '@divit/observability';
import { AccessLogService } from '@divit/access-log';
import { cliAccess, OperatorNameError } from './cli-access';
import { loadRegistrationConfigOrExit } from '../config/registration.config';
import { registrationDataSourceOptions } from '../database/data-source';
import { DossierImportError, DossierImportErrorCode } from './dossier-import.errors';
import { DossierImportRepository } from './dossier-import.repository';
import { DossierImportService } from './dossier-import.service';
import { topicCatalogue } from '@divit/contracts';
import { AvroSerde, TopicNames } from '@divit/messaging';
import { ImportedRegistrationsAnnouncer } from '../registrations/imported-registrations.announcer';
import { importProgressBar } from './progress-bar';

export const EXIT = { ok: 0, unexpected: 1, usage: 2, badFile: 3, refused: 4, rejects: 5 } as const;

const exitFor = {
  IMPORT_HEADER_INVALID: EXIT.badFile,
  IMPORT_FILE_UNREADABLE: EXIT.badFile,
  IMPORT_CONTENT_TYPE: EXIT.badFile,
  IMPORT_IN_PROGRESS: EXIT.refused,
  IMPORT_DELTA_WITHOUT_FULL_LOAD: EXIT.refused,
  IMPORT_SOURCE_INVALID: EXIT.usage,
  IMPORT_LOAD_NOT_FOUND: EXIT.usage,
  // HTTP only (the command line runs as the platform's operator), listed for completeness.
  MIGRATION_WINDOW_CLOSED: EXIT.refused,
} satisfies Record<DossierImportErrorCode, number>;

const USAGE = `usage:
  cli.js import --file F --mode full|delta --source X [--rejects R] [--dry-run] [--no-progress] [--operator NAME]
  cli.js export-concordance --out F [--source X] [--operator NAME]
  cli.js export-rejects --load LOAD_ID --out F [--operator NAME]`;

class UsageError extends Error {}

/** Peak resident memory: sampled every 100 ms, and the kernel's high-water mark (getrusage). */
function memoryWatch(): { stop(): { peakRssMiB: number; maxRssMiB: number } } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
      return { peakRssMiB: mib(peak), maxRssMiB: mib(process.resourceUsage().maxRSS * 1024) };
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      file: { type: 'string' },
      mode: { type: 'string' },
      source: { type: 'string' },
      rejects: { type: 'string' },
      out: { type: 'string' },
      load: { type: 'string' },
      operator: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'no-progress': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (command !== 'import' && command !== 'export-concordance' && command !== 'export-rejects') {
    throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
  }
  const need = (name: 'file' | 'mode' | 'source' | 'out' | 'load'): string => {
    const v = values[name];
    if (!v) throw new UsageError(`--${name} is required for ${command}`);
    return v;
  };

  // Checked before anything is read or written: the access log must be able to name who ran the command.
  const access = cliAccess(values.operator);
  const config = loadRegistrationConfigOrExit();
  configureLogging({
    service: 'registration-dossier-import',
    level: 'warn',
    sink: { write: (line) => void process.stderr.write(line) },
  });
  const dataSource = new DataSource(registrationDataSourceOptions(config));
  await dataSource.initialize();
  try {
    const repository = new DossierImportRepository(dataSource);
    // Events go to the outbox in the import transaction; the running service's relay publishes them.
    const announcer = new ImportedRegistrationsAnnouncer(
      new AvroSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, autoRegister: false }),
      new TopicNames(topicCatalogue, config.KAFKA_TOPIC_PREFIX),
    );
    const service = new DossierImportService(repository, announcer);
    // Like the HTTP routes (dossier-import.controller.ts): the same actions, recorded before the data moves.
    const accessLog = new AccessLogService(dataSource);
    const record = (action: string, resourceType: string, resourceId?: string) =>
      accessLog.record({
        principal: access.principal,
        origin: access.origin,
        action,
        resourceType,
        resourceId: resourceId ?? null,
        purpose: 'MIGRATION',
      });

    if (command === 'export-concordance') {
      const out = need('out');
      const csv = await service.concordanceCsv(values.source);
      await record('DOSSIER_CONCORDANCE_EXPORTED', 'dossier-concordance', values.source);
      await pipeline(csv, createWriteStream(out));
      return EXIT.ok;
    }
    if (command === 'export-rejects') {
      const load = need('load');
      const out = need('out');
      const csv = await service.rejectsCsv(load);
      // The rejected rows hold the personal data of the source file.
      await record('DOSSIER_REJECTS_EXPORTED', 'dossier-import-load', load);
      await pipeline(csv, createWriteStream(out));
      return EXIT.ok;
    }

    const file = need('file');
    const mode = need('mode');
    if (mode !== 'full' && mode !== 'delta') throw new UsageError('--mode must be full or delta');
    const source = need('source');
    const rejectsFile = values.rejects ?? `${file}.rejects.csv`;
    const totalBytes = (await stat(file)).size;
    const dryRun = values['dry-run'] === true;
    await record(dryRun ? 'DOSSIER_IMPORT_DRY_RUN' : 'DOSSIER_IMPORT', 'dossier-import', source);
    const bar = values['no-progress'] ? undefined : importProgressBar();
    const memory = memoryWatch();
    const result = await service
      .import(createReadStream(file, { highWaterMark: 1 << 16 }), {
        mode,
        source,
        dryRun,
        totalBytes,
        ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
      })
      .finally(() => bar?.done());
    const rejectsCsv = await service.rejectsCsv(result.loadId);
    await record('DOSSIER_REJECTS_EXPORTED', 'dossier-import-load', result.loadId);
    await pipeline(rejectsCsv, createWriteStream(rejectsFile));
    const rows = result.counts.rowsRead;
    process.stdout.write(
      `${JSON.stringify({
        ...result,
        rejectsFile,
        rowsPerSecond: Math.round((rows * 1000) / Math.max(1, result.timings.totalMs)),
        ...memory.stop(),
      })}\n`,
    );
    return result.counts.rowsRejected > 0 ? EXIT.rejects : EXIT.ok;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (
        error instanceof UsageError ||
        error instanceof OperatorNameError ||
        (error instanceof TypeError && 'code' in error)
      ) {
        process.stderr.write(`${error.message}\n${USAGE}\n`);
        process.exit(EXIT.usage);
      }
      if (error instanceof DossierImportError) {
        process.stderr.write(
          `${error.code}: ${error.message}${error.details ? ` ${JSON.stringify(error.details)}` : ''}\n`,
        );
        process.exit(exitFor[error.code]);
      }
      const e = error as { code?: string; message?: string };
      // File system errors name the path the operator gave; anything else only by name, never row content.
      if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') {
        process.stderr.write(`cannot read or write a file: ${e.message ?? e.code}\n`);
        process.exit(EXIT.badFile);
      }
      process.stderr.write(
        `dossier import failed: ${error instanceof Error ? error.name : 'error'} ${e.code ?? ''}\n`,
      );
      process.exit(EXIT.unexpected);
    },
  );
}
