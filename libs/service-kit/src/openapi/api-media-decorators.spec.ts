import { Controller, Get, HttpCode, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators';
import { ApiRequestContent, ApiResults } from './api-decorators';
import { buildOpenApiDocument, danglingRefs } from './openapi-document';

const line = z
  .strictObject({ unit: z.enum(['A', 'B']), count: z.number().int() })
  .meta({ id: 'MediaSpecLine' });
const fileJson = z.strictObject({ lines: z.array(line) });
const report = z.strictObject({ total: z.number().int(), lines: z.array(line) });

@Controller('reports')
@Roles('finance')
class ReportsController {
  @Post()
  @HttpCode(201)
  @ApiRequestContent({ 'text/csv': 'text', 'application/json': fileJson }, { description: 'The file.' })
  @ApiResults({ 'application/json': report }, { status: 201 })
  upload(@Req() _request: unknown): z.infer<typeof report> {
    return { total: 0, lines: [] };
  }

  @Get('export')
  @ApiResults(
    { 'application/json': report, 'text/csv': 'text', 'application/pdf': 'binary' },
    { description: 'JSON, CSV or PDF by format.' },
  )
  export(): z.infer<typeof report> {
    return { total: 0, lines: [] };
  }
}

@Module({ controllers: [ReportsController] })
class ReportsModule {}

type Content = Record<string, { schema: Record<string, unknown> }>;

describe('ApiResults and ApiRequestContent: one schema per media type', () => {
  let paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { description?: string; required: boolean; content: Content };
        responses: Record<string, { description?: string; content?: Content }>;
        [extension: string]: unknown;
      }
    >
  >;
  let document: unknown;
  let operations: { operation: string; hasResponseSchema: boolean }[];

  beforeAll(async () => {
    const app = await NestFactory.create(ReportsModule, { preview: true, logger: false });
    try {
      const built = buildOpenApiDocument(app, { title: 'reports', version: '1.0.0' });
      document = built.document;
      paths = built.document.paths as unknown as typeof paths;
      operations = built.operations;
    } finally {
      await app.close();
    }
  });

  it('gives a request body read by the handler its own schema per media type', () => {
    const body = paths['/reports']!.post!.requestBody!;
    expect(body).toMatchObject({ required: true, description: 'The file.' });
    expect(Object.keys(body.content)).toEqual(['text/csv', 'application/json']);
    expect(body.content['text/csv']!.schema).toEqual({ type: 'string' });
    expect(body.content['application/json']!.schema).toMatchObject({
      type: 'object',
      properties: { lines: { type: 'array', items: { $ref: '#/components/schemas/MediaSpecLine' } } },
    });
    // The builder removes its extension from the published operation.
    expect(Object.keys(paths['/reports']!.post!).filter((k) => k.startsWith('x-divit'))).toEqual([]);
  });

  it('declares one success response with a schema for each media type, counted as having a schema', () => {
    const ok = paths['/reports/export']!.get!.responses['200']!;
    expect(ok.description).toBe('JSON, CSV or PDF by format.');
    expect(ok.content!['application/json']!.schema).toMatchObject({
      type: 'object',
      required: ['total', 'lines'],
    });
    expect(ok.content!['text/csv']!.schema).toEqual({ type: 'string' });
    expect(ok.content!['application/pdf']!.schema).toEqual({ type: 'string', format: 'binary' });
    expect(paths['/reports']!.post!.responses['201']!.content!['application/json']).toBeDefined();
    expect(operations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'GET /reports/export', hasResponseSchema: true }),
        expect.objectContaining({ operation: 'POST /reports', hasResponseSchema: true }),
      ]),
    );
    expect(danglingRefs(document)).toEqual([]);
  });
});
