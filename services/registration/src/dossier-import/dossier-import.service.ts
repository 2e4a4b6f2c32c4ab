import { randomUUID } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { CsvError, parse } from 'csv-parse';
import { createLogger } from '@divit/observability';
import { escapeCsvStream } from '@divit/service-kit';
import { HeaderLayout, HeaderProblem, readHeader, toRecord } from './dossier-csv';
import { ImportMode } from './dossier-import.entity';
import { DossierImportError } from './dossier-import.errors';
import { DossierImportRepository, MergeStep } from './dossier-import.repository';
import { ImportResult, LoadView } from './dto/dossier-import-views.dto';
import { IMPORTED_REGISTRATIONS_HOOK, ImportedRegistrationsHook } from './imported-registrations.hook';
import { RowContext, validateRow } from './row-validation';
import { acceptedLine, rejectedLine } from './staging-format';

export interface ImportProgress {
  phase: 'reading' | 'merging';
  bytesRead: number;
  /** File size or Content-Length, when known. */
  totalBytes?: number;
  rowsRead: number;
  rowsRejected: number;
  elapsedMs: number;
  step?: MergeStep;
  stepIndex?: number;
  stepTotal?: number;
}

export interface ImportOptions {
  mode: ImportMode;
  /** Run the load as a test: counts and rejects, nothing else written (issue 16 item 14). */
  dryRun?: boolean;
  source: string;
  totalBytes?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** YYYY-MM-DD; defaults to today (UTC). */
  today?: string;
  /** Rejected rows stored with their detail; default MAX_STORED_REJECTS. */
  maxStoredRejects?: number;
}

/**
 * Rejected rows of one load stored with their detail (the first by line number); the rest are counted in
 * `rowsRejected` only. 21 MB of invalid rows once grew the rejects table to 137 MB (issue 13).
 */
export const MAX_STORED_REJECTS = 10_000;

export type { ImportResult, LoadView };

export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
const FLUSH_CHARS = 1 << 16;
const PROGRESS_EVERY_MS = 250;

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Streams a dossier CSV into a staging table (COPY, with backpressure: memory stays flat whatever the file
 * size), then merges it set-based in the same transaction. Logs carry counts only, never row content.
 */
@Injectable()
export class DossierImportService {
  private readonly logger = createLogger('DossierImportService');

  constructor(
    private readonly repository: DossierImportRepository,
    @Inject(IMPORTED_REGISTRATIONS_HOOK) private readonly hook: ImportedRegistrationsHook,
  ) {}

  async import(input: Readable, options: ImportOptions): Promise<ImportResult> {
    const { mode, source } = options;
    if (!SOURCE_PATTERN.test(source)) {
      throw new DossierImportError(
        'IMPORT_SOURCE_INVALID',
        'source must be 1-50 letters, digits, dots, dashes or underscores',
      );
    }
    const started = Date.now();
    const session = await this.repository.openSession();
    let loadId: string | undefined;
    try {
      if (!session.locked)
        throw new DossierImportError('IMPORT_IN_PROGRESS', 'another dossier import is running');
      if (mode === 'delta' && !(await session.hasCompletedFullLoad(source))) {
        throw new DossierImportError(
          'IMPORT_DELTA_WITHOUT_FULL_LOAD',
          'a delta load needs a completed full load of the same source first',
        );
      }
      loadId = randomUUID();
      await this.repository.startLoad(loadId, source, mode);
      this.logger.info('dossier import started', { loadId, source, mode });
      const organisations = await session.organisationIds();
      const context: RowContext = {
        source,
        today: options.today ?? new Date().toISOString().slice(0, 10),
        organisationExists: (id) => organisations.has(id),
      };
      const staging = await session.openStaging();
      const read = await this.stage(input, staging, context, options, started);
      const readingMs = Date.now() - started;
      const counts = await session.merge({
        loadId,
        source,
        mode,
        dryRun: options.dryRun === true,
        rowsRead: read.rows,
        maxStoredRejects: options.maxStoredRejects ?? MAX_STORED_REJECTS,
        onStep: (step, stepIndex, stepTotal) =>
          options.onProgress?.({
            phase: 'merging',
            bytesRead: read.bytes,
            ...(options.totalBytes !== undefined ? { totalBytes: options.totalBytes } : {}),
            rowsRead: read.rows,
            rowsRejected: read.rejected,
            elapsedMs: Date.now() - started,
            step,
            stepIndex,
            stepTotal,
          }),
        announceCreated: (tx, relation, id) => this.hook.registrationsCreated(tx, relation, id),
        announceDeregistered: (tx, relation, at) => this.hook.registrationsDeregistered(tx, relation, at),
      });
      const totalMs = Date.now() - started;
      const dryRun = options.dryRun === true;
      this.logger.info('dossier import completed', { loadId, source, mode, dryRun, ...counts, totalMs });
      return {
        loadId,
        source,
        mode,
        dryRun,
        counts,
        timings: { readingMs, mergingMs: totalMs - readingMs, totalMs },
      };
    } catch (error) {
      const translated = translate(error);
      if (loadId !== undefined) {
        const code = translated instanceof DossierImportError ? translated.code : 'UNEXPECTED';
        await this.repository.failLoad(loadId, code).catch(() => undefined);
        this.logger.warn('dossier import failed', { loadId, source, mode, code });
      }
      throw translated;
    } finally {
      await session.close();
    }
  }

  async findLoad(loadId: string): Promise<LoadView | null> {
    const load = await this.repository.findLoad(loadId);
    return load
      ? {
          id: load.id,
          sourceSystem: load.sourceSystem,
          mode: load.mode,
          status: load.status,
          startedAt: load.startedAt.toISOString(),
          finishedAt: load.finishedAt?.toISOString() ?? null,
          counts: load.counts,
          failureCode: load.failureCode,
        }
      : null;
  }

  async rejectsCsv(loadId: string): Promise<Readable> {
    if (!(await this.repository.findLoad(loadId))) {
      throw new DossierImportError('IMPORT_LOAD_NOT_FOUND', 'no dossier import load with this id');
    }
    // Rejected lines are the uploader's text: written again with formula-injection escaping (csv-writer.ts).
    return escapeCsvStream(await this.repository.rejectsCsv(loadId));
  }

  async concordanceCsv(source?: string): Promise<Readable> {
    if (source !== undefined && !SOURCE_PATTERN.test(source)) {
      throw new DossierImportError(
        'IMPORT_SOURCE_INVALID',
        'source must be 1-50 letters, digits, dots, dashes or underscores',
      );
    }
    return escapeCsvStream(await this.repository.concordanceCsv(source));
  }

  /** CSV → validated staging lines → COPY. Returns rows read (without the header) and rejects so far. */
  private async stage(
    input: Readable,
    staging: Writable,
    context: RowContext,
    options: ImportOptions,
    started: number,
  ): Promise<{ rows: number; rejected: number; bytes: number }> {
    let bytes = 0;
    let rows = 0;
    let rejected = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const parser = parse({
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // An unclosed quote would swallow the rest of the file into one field: fail the load instead.
      max_record_size: 1 << 16,
    });
    const report = (force: boolean, last: { at: number }) => {
      if (!options.onProgress) return;
      const now = Date.now();
      if (!force && now - last.at < PROGRESS_EVERY_MS) return;
      last.at = now;
      options.onProgress({
        phase: 'reading',
        bytesRead: bytes,
        ...(options.totalBytes !== undefined ? { totalBytes: options.totalBytes } : {}),
        rowsRead: rows,
        rowsRejected: rejected,
        elapsedMs: now - started,
      });
    };

    async function* toStagingLines(records: AsyncIterable<ParsedRecord>): AsyncGenerator<string> {
      let header: HeaderLayout | undefined;
      let buffer = '';
      const last = { at: 0 };
      for await (const { record, info } of records) {
        if (header === undefined) {
          header = readHeader(record);
          continue;
        }
        rows++;
        const fields = toRecord(header, record);
        if (record.length !== header.width) {
          rejected++;
          buffer += rejectedLine(
            info.lines,
            [`record has ${record.length} fields, the header has ${header.width}`],
            fields,
            null,
          );
        } else {
          const verdict = validateRow(fields, context);
          if (verdict.ok) buffer += acceptedLine(info.lines, verdict.row);
          else {
            rejected++;
            buffer += rejectedLine(info.lines, verdict.reasons, fields, verdict.dossierNumber);
          }
        }
        if (buffer.length >= FLUSH_CHARS) {
          yield buffer;
          buffer = '';
          report(false, last);
        }
      }
      if (header === undefined) throw new HeaderProblem(['the file is empty (no header line)']);
      if (buffer.length) yield buffer;
      report(true, last);
    }

    await pipeline(input, counter, parser, toStagingLines, staging);
    return { rows, rejected, bytes };
  }
}

function translate(error: unknown): unknown {
  if (error instanceof HeaderProblem) {
    return new DossierImportError('IMPORT_HEADER_INVALID', error.message, { problems: error.problems });
  }
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return new DossierImportError('IMPORT_FILE_UNREADABLE', `the file is not valid CSV (${error.code})`, {
      csvError: error.code,
      ...(line !== undefined ? { line } : {}),
    });
  }
  return error;
}
