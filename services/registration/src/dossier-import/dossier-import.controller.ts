import { IncomingMessage } from 'node:http';
import { Controller, Get, HttpCode, Inject, Post, Req, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import {
  ApiFileResult,
  ApiProblems,
  ApiRawBody,
  ApiResult,
  CurrentPrincipal,
  MIGRATION_SUPPLIER_ROLE,
  Roles,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import type { RegistrationConfig } from '../config/registration.config';
import { REGISTRATION_CONFIG } from '../config/registration.tokens';
import { DossierImportError } from './dossier-import.errors';
import { DossierImportService, SOURCE_PATTERN } from './dossier-import.service';
import {
  CSV_MEDIA_TYPE,
  ImportResult,
  importResultSchema,
  LoadView,
  loadViewSchema,
} from './dto/dossier-import-views.dto';

const importQuery = z.strictObject({
  mode: z.enum(['full', 'delta']),
  source: z.string().regex(SOURCE_PATTERN, 'letters, digits, dots, dashes or underscores (max 50)'),
  /** `true`: a test load (the protocol's test runs): counts and rejects, nothing else written. */
  dryRun: z.enum(['true', 'false']).optional(),
});
const concordanceQuery = z.strictObject({
  source: z
    .string()
    .regex(SOURCE_PATTERN, 'letters, digits, dots, dashes or underscores (max 50)')
    .optional(),
});
const loadParam = z.strictObject({ loadId: z.uuid() });

const csv = (stream: NodeJS.ReadableStream, name: string) =>
  new StreamableFile(stream as unknown as import('node:stream').Readable, {
    type: 'text/csv; charset=utf-8',
    disposition: `attachment; filename="${name}"`,
  });

/**
 * Dossier import over HTTP. The CSV is the request body (text/csv), streamed into the import: never
 * buffered whole, so any size works with flat memory.
 * Migration is a platform operator's task across organisations (a full load of a source removes the dossiers it
 * no longer lists, whatever their organisation): every route needs the `platform-operator` role; an
 * organisation's `admin` cannot import (docs/adr/0014). The migration supplier (`dossier-import`, seed 004) may
 * send a file and read its load's status, only inside the configured migration window; a refusal is access-logged.
 */
@Roles('platform-operator')
@Controller('dossier-imports')
export class DossierImportController {
  constructor(
    private readonly imports: DossierImportService,
    private readonly accessLog: AccessLogService,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  /**
   * The supplier acts only inside the migration window (START inclusive, END exclusive); the platform operator
   * always. A refusal is recorded before it is answered.
   */
  private async assertMigrationWindow(principal: Principal, action: string): Promise<void> {
    if (principal.roles.includes('platform-operator')) return;
    const { MIGRATION_WINDOW_START: start, MIGRATION_WINDOW_END: end } = this.config;
    const now = Date.now();
    if (start !== undefined && end !== undefined && now >= Date.parse(start) && now < Date.parse(end)) return;
    await this.accessLog.record({
      principal,
      action: `${action}_REFUSED_OUTSIDE_MIGRATION_WINDOW`,
      resourceType: 'dossier-import',
      purpose: 'MIGRATION',
    });
    throw new DossierImportError(
      'MIGRATION_WINDOW_CLOSED',
      start === undefined || end === undefined
        ? 'the migration supplier has no access: no migration window is configured'
        : `the migration supplier has access from ${start} until ${end} only`,
    );
  }

  @Post()
  @Roles('platform-operator', MIGRATION_SUPPLIER_ROLE)
  @HttpCode(201)
  @ApiRawBody(CSV_MEDIA_TYPE, { description: 'The dossier file (CSV with header), streamed: any size.' })
  @ApiResult(importResultSchema, { status: 201, description: 'The load that ran and what it did.' })
  @ApiProblems(
    'IMPORT_SOURCE_INVALID',
    'IMPORT_DELTA_WITHOUT_FULL_LOAD',
    'IMPORT_IN_PROGRESS',
    'IMPORT_CONTENT_TYPE',
    'IMPORT_FILE_UNREADABLE',
    'IMPORT_HEADER_INVALID',
    { code: 'MIGRATION_WINDOW_CLOSED', description: 'the migration supplier, outside the migration window' },
  )
  async import(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(importQuery) query: z.infer<typeof importQuery>,
    @Req() request: IncomingMessage,
  ): Promise<ImportResult> {
    await this.assertMigrationWindow(principal, 'DOSSIER_IMPORT');
    const type = request.headers['content-type'] ?? '';
    if (!/^text\/csv\b/i.test(type)) {
      throw new DossierImportError(
        'IMPORT_CONTENT_TYPE',
        'send the dossier file as the body with content-type text/csv',
      );
    }
    const length = Number(request.headers['content-length']);
    const dryRun = query.dryRun === 'true';
    await this.accessLog.record({
      principal,
      action: dryRun ? 'DOSSIER_IMPORT_DRY_RUN' : 'DOSSIER_IMPORT',
      resourceType: 'dossier-import',
      purpose: 'MIGRATION',
    });
    return this.imports.import(request, {
      mode: query.mode,
      source: query.source,
      dryRun,
      ...(Number.isFinite(length) && length > 0 ? { totalBytes: length } : {}),
    });
  }

  @Get('concordance')
  @ApiFileResult(CSV_MEDIA_TYPE, {
    description: 'The concordance (source dossier id → registration id) as CSV, header line first.',
  })
  @ApiProblems('IMPORT_SOURCE_INVALID')
  async concordance(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(concordanceQuery) query: z.infer<typeof concordanceQuery>,
  ): Promise<StreamableFile> {
    await this.accessLog.record({
      principal,
      action: 'DOSSIER_CONCORDANCE_EXPORTED',
      resourceType: 'dossier-concordance',
      resourceId: query.source,
      purpose: 'MIGRATION',
    });
    return csv(await this.imports.concordanceCsv(query.source), 'concordance.csv');
  }

  @Get(':loadId')
  @Roles('platform-operator', MIGRATION_SUPPLIER_ROLE)
  @ApiResult(loadViewSchema)
  @ApiProblems('IMPORT_LOAD_NOT_FOUND', {
    code: 'MIGRATION_WINDOW_CLOSED',
    description: 'the migration supplier, outside the migration window',
  })
  async load(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(loadParam) params: z.infer<typeof loadParam>,
  ): Promise<LoadView> {
    await this.assertMigrationWindow(principal, 'DOSSIER_IMPORT_LOAD_READ');
    const load = await this.imports.findLoad(params.loadId);
    if (!load) throw new DossierImportError('IMPORT_LOAD_NOT_FOUND', 'no dossier import load with this id');
    return load;
  }

  @Get(':loadId/rejects')
  @ApiFileResult(CSV_MEDIA_TYPE, {
    description: 'The rejected rows of the load with the reasons, as CSV (header line first).',
  })
  @ApiProblems('IMPORT_LOAD_NOT_FOUND')
  async rejects(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(loadParam) params: z.infer<typeof loadParam>,
  ): Promise<StreamableFile> {
    // The rejected rows hold the personal data of the source file.
    await this.accessLog.record({
      principal,
      action: 'DOSSIER_REJECTS_EXPORTED',
      resourceType: 'dossier-import-load',
      resourceId: params.loadId,
      purpose: 'MIGRATION',
    });
    return csv(await this.imports.rejectsCsv(params.loadId), `rejects-${params.loadId}.csv`);
  }
}
