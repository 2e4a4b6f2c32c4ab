import { IncomingMessage } from 'node:http';
import { Controller, Get, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { DossierImportError } from './dossier-import.errors';
import { DossierImportService, SOURCE_PATTERN } from './dossier-import.service';
import { ImportResult, LoadView } from './dto/dossier-import-views.dto';

const importQuery = z.strictObject({
  mode: z.enum(['full', 'delta']),
  source: z.string().regex(SOURCE_PATTERN, 'letters, digits, dots, dashes or underscores (max 50)'),
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
 * organisation's `admin` cannot import (docs/adr/0014).
 */
@Roles('platform-operator')
@Controller('dossier-imports')
export class DossierImportController {
  constructor(
    private readonly imports: DossierImportService,
    private readonly accessLog: AccessLogService,
  ) {}

  @Post()
  @HttpCode(201)
  async import(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(importQuery)) query: z.infer<typeof importQuery>,
    @Req() request: IncomingMessage,
  ): Promise<ImportResult> {
    const type = request.headers['content-type'] ?? '';
    if (!/^text\/csv\b/i.test(type)) {
      throw new DossierImportError(
        'IMPORT_CONTENT_TYPE',
        'send the dossier file as the body with content-type text/csv',
      );
    }
    const length = Number(request.headers['content-length']);
    await this.accessLog.record({
      principal,
      action: 'DOSSIER_IMPORT',
      resourceType: 'dossier-import',
      purpose: 'MIGRATION',
    });
    return this.imports.import(request, {
      mode: query.mode,
      source: query.source,
      ...(Number.isFinite(length) && length > 0 ? { totalBytes: length } : {}),
    });
  }

  @Get('concordance')
  async concordance(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(concordanceQuery)) query: z.infer<typeof concordanceQuery>,
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
  async load(@Param(new ZodValidationPipe(loadParam)) params: z.infer<typeof loadParam>): Promise<LoadView> {
    const load = await this.imports.findLoad(params.loadId);
    if (!load) throw new DossierImportError('IMPORT_LOAD_NOT_FOUND', 'no dossier import load with this id');
    return load;
  }

  @Get(':loadId/rejects')
  async rejects(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(loadParam)) params: z.infer<typeof loadParam>,
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
