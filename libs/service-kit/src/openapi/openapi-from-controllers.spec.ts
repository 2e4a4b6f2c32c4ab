import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { Public, Roles } from '../auth/auth.decorators';
import { ZodValidationPipe } from '../zod-validation.pipe';
import { JsonSchema, openApiFromControllers, validateOpenApiDocument } from './openapi-from-controllers';

const createWidgetSchema = z.strictObject({
  name: z.string().min(2).max(50),
  size: z.number().int().min(1).optional(),
});
const widgetIdParam = z.strictObject({ id: z.uuid() });
const listQuery = z.strictObject({
  colour: z.enum(['red', 'blue']).describe('Only widgets of this colour.'),
  at: z.string().optional(),
});
const Part = z.object({ label: z.string() }).meta({ id: 'SpecPart' });
const Node = z.object({
  name: z.string(),
  get children(): z.ZodOptional<z.ZodArray<typeof Node>> {
    return z.array(Node).optional();
  },
});
const assemblySchema = z.strictObject({ parts: z.array(Part), tree: Node });

/** Widgets of an organisation. */
@Roles('admin')
@Controller('widgets')
class WidgetsController {
  @Post()
  create(@Body(new ZodValidationPipe(createWidgetSchema)) body: unknown): unknown {
    return body;
  }

  @Get(':id')
  @Roles('member', 'admin')
  get(
    @Param(new ZodValidationPipe(widgetIdParam)) params: unknown,
    @Query(new ZodValidationPipe(listQuery)) query: unknown,
  ): unknown {
    return { params, query };
  }

  @Patch(':id/assembly')
  @HttpCode(204)
  assemble(
    @Param(new ZodValidationPipe(widgetIdParam)) _params: unknown,
    @Body(new ZodValidationPipe(assemblySchema)) _body: unknown,
  ): void {}

  @Public()
  @Get('ping')
  ping(): string {
    return 'pong';
  }

  /** Not a route: no HTTP method metadata. */
  helper(): void {}
}

@Public()
@Controller('status')
class StatusController {
  @Get()
  status(): unknown {
    return {};
  }
}

const build = () =>
  openApiFromControllers({
    info: { title: 'Widgets', version: '1.2.3', description: 'Test service' },
    servers: [{ url: 'http://127.0.0.1:3999' }],
    controllers: [
      {
        controller: WidgetsController,
        description: 'Widgets of an organisation.',
        errorStatuses: { WIDGET_NOT_FOUND: 404, WIDGET_NAME_TAKEN: 409, WIDGET_TOO_BIG: 422 },
        errorCodes: { create: ['WIDGET_NAME_TAKEN', 'WIDGET_TOO_BIG'], get: ['WIDGET_NOT_FOUND'], ping: [] },
        operationDescriptions: { create: 'Creates a widget. Names are unique per organisation.' },
      },
      { controller: StatusController },
    ],
  });

describe('openApiFromControllers', () => {
  const doc = build();
  const widgets = doc.paths['/widgets'];
  const widget = doc.paths['/widgets/{id}'];

  it('documents every route with its path template and method, sorted, and nothing else', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'Widgets', version: '1.2.3', description: 'Test service' });
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:3999' }]);
    expect(Object.keys(doc.paths)).toEqual([
      '/status',
      '/widgets',
      '/widgets/ping',
      '/widgets/{id}',
      '/widgets/{id}/assembly',
    ]);
    expect(Object.keys(widgets ?? {})).toEqual(['post']);
    expect(Object.keys(widget ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/widgets/{id}/assembly'] ?? {})).toEqual(['patch']);
    expect(doc.tags).toEqual([
      { name: 'Status' },
      { name: 'Widgets', description: 'Widgets of an organisation.' },
    ]);
    expect(widgets?.post?.operationId).toBe('widgetsCreate');
    expect(widgets?.post?.summary).toBe('Creates a widget.');
    expect(widgets?.post?.description).toBe('Creates a widget. Names are unique per organisation.');
  });

  it('takes the request body schema from the ZodValidationPipe (input side, strict)', () => {
    expect(widgets?.post?.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              name: { type: 'string', minLength: 2, maxLength: 50 },
              size: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            },
            required: ['name'],
            additionalProperties: false,
          },
        },
      },
    });
  });

  it('turns @Param and @Query schemas into path and query parameters', () => {
    expect(widget?.get?.parameters).toEqual([
      {
        name: 'id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'string', format: 'uuid' }) as unknown,
      },
      {
        name: 'colour',
        in: 'query',
        required: true,
        description: 'Only widgets of this colour.',
        schema: { type: 'string', enum: ['red', 'blue'] },
      },
      { name: 'at', in: 'query', required: false, schema: { type: 'string' } },
    ]);
  });

  it('derives security and x-roles from @Roles and @Public (handler over class)', () => {
    expect(widgets?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(widgets?.post?.['x-roles']).toEqual(['admin']);
    expect(widget?.get?.['x-roles']).toEqual(['member', 'admin']);
    const ping = doc.paths['/widgets/ping']?.get;
    expect(ping?.security).toEqual([]);
    expect(ping?.['x-roles']).toBeUndefined();
    expect(Object.keys(ping?.responses ?? {})).toEqual(['200']);
    expect(doc.paths['/status']?.get?.security).toEqual([]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  });

  it('documents the success status and problem+json errors with their codes', () => {
    const post = widgets?.post?.responses ?? {};
    expect(Object.keys(post)).toEqual(['201', '400', '401', '403', '409', '422']);
    expect(post['201']).toEqual({ description: 'Created', content: { 'application/json': { schema: {} } } });
    expect(post['400']).toEqual({ $ref: '#/components/responses/ValidationFailed' });
    expect(post['401']).toEqual({ $ref: '#/components/responses/Unauthenticated' });
    expect(post['403']?.description).toContain('FORBIDDEN_ROLE');
    expect(post['409']).toEqual({
      description: 'Conflict. Problem codes: WIDGET_NAME_TAKEN.',
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/ProblemDetails' },
              { properties: { status: { const: 409 }, code: { const: 'WIDGET_NAME_TAKEN' } } },
            ],
          },
        },
      },
    });
    expect(Object.keys(widget?.get?.responses ?? {})).toEqual(['200', '400', '401', '403', '404']);
    // A handler without a code list gets every code of the table; @HttpCode(204) has no content.
    const assembly = doc.paths['/widgets/{id}/assembly']?.patch?.responses ?? {};
    expect(Object.keys(assembly)).toEqual(['204', '400', '401', '403', '404', '409', '422']);
    expect(assembly['204']).toEqual({ description: 'No Content' });
    expect(assembly['422']?.description).toBe('Unprocessable Content. Problem codes: WIDGET_TOO_BIG.');

    const validation = doc.components.schemas.ValidationProblem as JsonSchema;
    expect(JSON.stringify(validation)).toContain('VALIDATION_FAILED');
    const problem = doc.components.schemas.ProblemDetails as { properties: Record<string, JsonSchema> };
    expect(problem.properties.errors).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/FieldError' },
    });
    expect(doc.components.responses.ValidationFailed).toMatchObject({
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ValidationProblem' } } },
    });
  });

  it('moves zod definitions (.meta ids, recursive schemas) to components so every $ref resolves', () => {
    const body = doc.paths['/widgets/{id}/assembly']?.patch?.requestBody as {
      content: { 'application/json': { schema: { properties: Record<string, JsonSchema> } } };
    };
    const properties = body.content['application/json'].schema.properties;
    expect(properties.parts).toEqual({ type: 'array', items: { $ref: '#/components/schemas/SpecPart' } });
    expect(properties.tree).toEqual({ $ref: '#/components/schemas/WidgetsAssembleBody_schema0' });
    expect(doc.components.schemas.SpecPart).toEqual({
      type: 'object',
      properties: { label: { type: 'string' } },
      required: ['label'],
    });
    expect(JSON.stringify(doc.components.schemas.WidgetsAssembleBody_schema0)).toContain(
      '"$ref":"#/components/schemas/WidgetsAssembleBody_schema0"',
    );
    expect(validateOpenApiDocument(JSON.parse(JSON.stringify(doc)))).toEqual([]);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(build())).toBe(JSON.stringify(doc));
  });

  it('refuses overrides of handlers that do not exist, and classes without @Controller', () => {
    expect(() =>
      openApiFromControllers({
        info: { title: 't', version: '1' },
        controllers: [{ controller: WidgetsController, overrides: { helper: {} } }],
      }),
    ).toThrow('no such route handler');
    class Plain {}
    expect(() =>
      openApiFromControllers({ info: { title: 't', version: '1' }, controllers: [{ controller: Plain }] }),
    ).toThrow('not a @Controller');
  });
});

describe('validateOpenApiDocument', () => {
  it('reports unresolved references and undeclared path parameters', () => {
    const doc = JSON.parse(JSON.stringify(build())) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const get = doc.paths['/widgets/{id}']?.get ?? {};
    get.parameters = [];
    get.responses = { '200': { $ref: '#/components/responses/Nope' } };
    expect(validateOpenApiDocument(doc)).toEqual([
      '#/paths/~1widgets~1{id}/get/responses/200: $ref #/components/responses/Nope does not resolve',
      'GET /widgets/{id}: path parameter id not declared',
      'GET /widgets/{id}: response 200 needs a description',
    ]);
  });
});
