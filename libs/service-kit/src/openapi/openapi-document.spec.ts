import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import { z } from 'zod';
import { Public, Roles } from '../auth/auth.decorators';
import { registerErrorStatuses } from '../domain-error';
import {
  ApiFileResult,
  ApiNoContentResult,
  ApiProblems,
  ApiRawBody,
  ApiResult,
  checkDeclaredStatuses,
  ZodBody,
  ZodParams,
  ZodQuery,
} from './api-decorators';
import { buildOpenApiDocument, BuiltOpenApiDocument, danglingRefs } from './openapi-document';

registerErrorStatuses({
  WIDGET_NOT_FOUND: 404,
  WIDGET_TAKEN: 409,
  WIDGET_SCOPE: 403,
  WIDGET_FILE_INVALID: 422,
  WIDGET_FILE_EMPTY: 422,
  WIDGET_LOCKED: 423,
});

const fileProblemMembers = z.object({
  problemsTotal: z.number().int(),
  problems: z.array(z.object({ line: z.number().int(), field: z.string() })),
});

const widgetView = z.object({ id: z.string().uuid(), name: z.string(), size: z.number().int().optional() });
type WidgetView = z.infer<typeof widgetView>;
const createWidget = z.strictObject({ name: z.string().min(1).max(50) });
const idParam = z.strictObject({ id: z.string().uuid() });
const listQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).optional() });

@Controller('widgets')
@Roles('admin', 'auditor')
class WidgetsController {
  @Get()
  @ApiResult(z.object({ items: z.array(widgetView) }))
  list(@ZodQuery(listQuery) _query: z.infer<typeof listQuery>): { items: WidgetView[] } {
    return { items: [] };
  }

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiResult(widgetView, { status: 201 })
  @ApiProblems('WIDGET_TAKEN')
  create(@ZodBody(createWidget) body: z.infer<typeof createWidget>): WidgetView {
    return { id: '00000000-0000-4000-8000-000000000000', name: body.name };
  }

  @Get(':id/label.pdf')
  @ApiFileResult('application/pdf', { description: 'The label.' })
  @ApiProblems({ code: 'WIDGET_NOT_FOUND', description: 'no such widget' })
  label(@ZodParams(idParam) _params: { id: string }): Buffer {
    return Buffer.alloc(0);
  }

  @Post(':id/archive')
  @HttpCode(204)
  @ApiNoContentResult()
  @ApiProblems('WIDGET_NOT_FOUND')
  archive(@ZodParams(idParam) _params: { id: string }): void {}

  @Post('import')
  @HttpCode(202)
  @ApiRawBody('text/csv', { description: 'The widget file.' })
  @ApiResult(z.object({ accepted: z.number().int() }), { status: 202 })
  import(): { accepted: number } {
    return { accepted: 0 };
  }

  @Post('batch')
  @HttpCode(201)
  @ApiResult(z.object({ accepted: z.number().int() }), { status: 201 })
  @ApiProblems({ code: 'WIDGET_FILE_INVALID', members: fileProblemMembers }, 'WIDGET_FILE_EMPTY', {
    code: 'WIDGET_LOCKED',
    members: z.object({ lockedBy: z.string() }),
  })
  batch(): { accepted: number } {
    return { accepted: 0 };
  }

  @Get('undeclared')
  undeclared(): unknown {
    return {};
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @ApiResult(widgetView)
  @ApiProblems('WIDGET_SCOPE')
  transfer(@ZodParams(idParam) _params: { id: string }): WidgetView {
    return { id: '', name: '' };
  }

  @Get('by-header')
  @ApiHeader({ name: 'x-widget-token', required: true, description: 'A credential (401 when wrong).' })
  @ApiResult(widgetView)
  byHeader(): WidgetView {
    return { id: '', name: '' };
  }
}

@Controller('open')
@Public()
class OpenController {
  @Get()
  @ApiResult(z.object({ ok: z.literal(true) }))
  ping(): { ok: true } {
    return { ok: true };
  }
}

@Controller('health')
@Public()
class HealthLikeController {
  @Get('live')
  @ApiResult(z.object({ status: z.literal('ok') }))
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [WidgetsController, OpenController, HealthLikeController] })
class WidgetsModule {}

@Controller('bad')
class MismatchController {
  @Post()
  @HttpCode(202)
  @ApiResult(widgetView, { status: 201 })
  create(): WidgetView {
    return { id: '', name: '' };
  }

  @Get()
  @ApiResult(widgetView)
  @ApiProblems('NO_SUCH_CODE')
  get(): WidgetView {
    return { id: '', name: '' };
  }
}

@Module({ controllers: [MismatchController] })
class MismatchModule {}

async function build(module: unknown): Promise<BuiltOpenApiDocument> {
  const app = await NestFactory.create(module as never, { preview: true, logger: false });
  try {
    return buildOpenApiDocument(app, {
      title: 'widgets',
      version: '1.2.3',
      servers: [{ url: 'http://127.0.0.1:3999' }],
    });
  } finally {
    await app.close();
  }
}

type Op = {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<
    string,
    { $ref?: string; description?: string; content?: Record<string, { schema: unknown }> }
  >;
  security: Record<string, string[]>[];
  'x-roles'?: string[];
};

describe('buildOpenApiDocument', () => {
  let built: BuiltOpenApiDocument;
  const op = (path: string, method: string): Op =>
    (built.document.paths[path] as unknown as Record<string, Op>)[method]!;

  beforeAll(async () => {
    built = await build(WidgetsModule);
  });

  it("a handler's own 403 codes join the role check's FORBIDDEN_ROLE instead of replacing it", () => {
    const transfer = op('/widgets/{id}/transfer', 'post');
    expect(transfer.responses['403']).toMatchObject({
      description:
        'Forbidden: the token holds none of the roles in `x-roles` (code FORBIDDEN_ROLE), or code WIDGET_SCOPE.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
  });

  it("documents a problem's own members: required when the status has one code, optional with the code otherwise", () => {
    const batch = op('/widgets/batch', 'post');
    const schemaOf = (status: string) =>
      batch.responses[status]!.content!['application/problem+json']!.schema;
    expect(schemaOf('423')).toEqual({
      allOf: [
        { $ref: '#/components/schemas/ProblemDetails' },
        { type: 'object', properties: { lockedBy: { type: 'string' } }, required: ['lockedBy'] },
      ],
    });
    const [base, members] = (schemaOf('422') as { allOf: [unknown, Record<string, unknown>] }).allOf;
    expect(base).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
    expect(members).not.toHaveProperty('required');
    expect(members).toMatchObject({
      type: 'object',
      properties: {
        problemsTotal: { type: 'integer', description: 'WIDGET_FILE_INVALID only.' },
        problems: { type: 'array', description: 'WIDGET_FILE_INVALID only.' },
      },
    });
    expect(batch.responses['422']!.description).toBe(
      'Unprocessable Content: code WIDGET_FILE_INVALID; WIDGET_FILE_EMPTY.',
    );
  });

  it('a header parameter (a credential) gives no 400: only path, query and body are validated', () => {
    const byHeader = op('/widgets/by-header', 'get');
    expect(byHeader.parameters).toEqual([expect.objectContaining({ name: 'x-widget-token', in: 'header' })]);
    expect(Object.keys(byHeader.responses)).toEqual(['200', '401', '403', '429']);
  });

  it('describes the service: OpenAPI 3.1, version, server, bearer JWT scheme', () => {
    expect(built.document.openapi).toBe('3.1.0');
    expect(built.document.info).toMatchObject({ title: 'widgets', version: '1.2.3' });
    expect(built.document.servers).toEqual([{ url: 'http://127.0.0.1:3999' }]);
    expect(built.document.components?.securitySchemes?.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(danglingRefs(built.document)).toEqual([]);
  });

  it('documents the response schema from zod, the request body and the roles of the handler', () => {
    const create = op('/widgets', 'post');
    expect(create.operationId).toBe('widgetsCreate');
    expect(create.responses['201']?.content?.['application/json']?.schema).toMatchObject({
      type: 'object',
      properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } },
      required: ['id', 'name'],
    });
    // A view may gain members later: open; a request body is as strict as its z.strictObject.
    expect(create.responses['201']?.content?.['application/json']?.schema).not.toHaveProperty(
      'additionalProperties',
    );
    expect(create.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { type: 'object', additionalProperties: false } } },
    });
    // The handler's @Roles takes precedence over the class's, as in the guard.
    expect(create['x-roles']).toEqual(['admin']);
    expect(create.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(create.responses)).toEqual(['201', '400', '401', '403', '409', '429']);
    expect(create.responses['401']).toEqual({ $ref: '#/components/responses/Unauthenticated' });
    expect(create.responses['403']).toEqual({ $ref: '#/components/responses/ForbiddenRole' });
    expect(create.responses['409']).toMatchObject({
      description: 'Conflict: code WIDGET_TAKEN.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
  });

  it('documents query and path parameters one per property, with the class roles', () => {
    const list = op('/widgets', 'get');
    expect(list['x-roles']).toEqual(['admin', 'auditor']);
    expect(list.parameters).toEqual([
      expect.objectContaining({ name: 'limit', in: 'query', required: false }),
    ]);
    const label = op('/widgets/{id}/label.pdf', 'get');
    expect(label.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(label.parameters?.[0]?.schema).toMatchObject({ type: 'string', format: 'uuid' });
    expect(label.responses['200']).toEqual({
      description: 'The label.',
      content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
    });
    expect(label.responses['404']?.description).toBe('Not Found: code WIDGET_NOT_FOUND (no such widget).');
  });

  it('gives public routes an empty security and no 401/403; /health/* has no 429', () => {
    const ping = op('/open', 'get');
    expect(ping.security).toEqual([]);
    expect(Object.keys(ping.responses)).toEqual(['200', '429']);
    expect(Object.keys(op('/health/live', 'get').responses)).toEqual(['200']);
  });

  it('counts operations without a success response schema', () => {
    const summary = Object.fromEntries(built.operations.map((o) => [o.operation, o.hasResponseSchema]));
    expect(summary).toEqual({
      'GET /health/live': true,
      'GET /open': true,
      'GET /widgets': true,
      'GET /widgets/by-header': true,
      'POST /widgets': true,
      'POST /widgets/{id}/archive': true,
      'POST /widgets/{id}/transfer': true,
      'GET /widgets/{id}/label.pdf': true,
      'GET /widgets/undeclared': false,
      'POST /widgets/import': true,
      'POST /widgets/batch': true,
    });
    expect(op('/widgets/{id}/archive', 'post').responses['204']).toEqual({ description: 'No Content' });
    expect(op('/widgets/import', 'post').requestBody).toEqual({
      required: true,
      description: 'The widget file.',
      content: { 'text/csv': { schema: { type: 'string' } } },
    });
  });

  it('fails on a declared status that @HttpCode contradicts and on an unknown error code', async () => {
    await expect(build(MismatchModule)).rejects.toThrow(/GET \/bad: @ApiProblems names NO_SUCH_CODE/);
    expect(checkDeclaredStatuses()).toEqual([
      'MismatchController.create: responds 202 (@HttpCode) but declares 201',
    ]);
  });
});
