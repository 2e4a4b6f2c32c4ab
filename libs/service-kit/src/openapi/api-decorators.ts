import 'reflect-metadata';
import { applyDecorators, Body, Param, Query, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ApiBody, ApiConsumes, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodValidationPipe } from '../zod-validation.pipe';

/**
 * How an operation of a service's HTTP API is declared for its OpenAPI document (docs/adr/0027): zod is the
 * one schema source. Requests: `@ZodBody`, `@ZodQuery`, `@ZodParams` validate with `ZodValidationPipe` and
 * document the same schema. Responses: `@ApiResult(schema)` (JSON), `@ApiFileResult(mediaType)` (PDF, CSV,
 * text), `@ApiNoContentResult()`; errors: `@ApiProblems(...codes)` (statuses from the modules'
 * `registerErrorStatuses` tables). 400/401/403/429 are added by `buildOpenApiDocument` from the request
 * schemas, `@Public`/`@Roles` and the rate limiter.
 */

/** @nestjs/swagger's metadata key of ApiExtension (DECORATORS.API_EXTENSION). */
const SWAGGER_EXTENSIONS = 'swagger/apiExtension';

export type JsonSchema = { [keyword: string]: unknown };

/** Extension keys the decorators leave on an operation for `buildOpenApiDocument`, which removes them. */
export const OPENAPI_EXTENSIONS = {
  roles: 'x-roles',
  public: 'x-divit-public',
  problems: 'x-divit-problems',
  defs: 'x-divit-defs',
  success: 'x-divit-success',
} as const;

/**
 * The JSON schema (draft 2020-12, as OpenAPI 3.1 uses) of a zod schema: `input` for what a client sends,
 * `output` for what the service returns. Definitions a schema names (`.meta({ id })`, cycles) are returned
 * apart, to become `components.schemas`.
 */
export function zodJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
): { schema: JsonSchema; defs: Record<string, JsonSchema> } {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
    // A response object may gain members later (clients must ignore unknown ones): only a z.strictObject
    // view is closed. Requests keep what zod says (z.strictObject rejects unknown fields).
    override: (ctx) => {
      const def = (ctx.zodSchema as { _zod?: { def?: { type?: string; catchall?: unknown } } })._zod?.def;
      if (io === 'output' && def?.type === 'object' && def.catchall === undefined)
        delete ctx.jsonSchema.additionalProperties;
    },
  }) as JsonSchema;
  const { $schema: _schema, $defs, ...rest } = json as JsonSchema & { $defs?: Record<string, JsonSchema> };
  void _schema;
  const rewrite = <T>(value: T): T =>
    JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, '"#/components/schemas/$1"')) as T;
  return { schema: rewrite(rest), defs: rewrite($defs ?? {}) };
}

function withDefs(defs: Record<string, JsonSchema>): MethodDecorator[] {
  return Object.keys(defs).length > 0 ? [mergeExtension(OPENAPI_EXTENSIONS.defs, defs)] : [];
}

/**
 * Like ApiExtension, but several decorators of one operation add to the same object (ApiExtension keeps the
 * first value of a key).
 */
function mergeExtension(key: string, value: Record<string, unknown>): MethodDecorator {
  return (_target, _propertyKey, descriptor) => {
    const handler = descriptor.value as object;
    const extensions = (Reflect.getMetadata(SWAGGER_EXTENSIONS, handler) ?? {}) as Record<string, unknown>;
    const merged = { ...((extensions[key] as Record<string, unknown> | undefined) ?? {}), ...value };
    Reflect.defineMetadata(SWAGGER_EXTENSIONS, { ...extensions, [key]: merged }, handler);
    return descriptor;
  };
}

/** Applies method decorators from a parameter decorator (the handler exists when parameter decorators run). */
function onHandler(
  target: object,
  propertyKey: string | symbol | undefined,
  decorators: MethodDecorator[],
): void {
  if (propertyKey === undefined) throw new Error('request decorators belong on a route handler parameter');
  const descriptor = Object.getOwnPropertyDescriptor(target, propertyKey);
  if (!descriptor) throw new Error(`no handler ${String(propertyKey)}`);
  for (const decorator of decorators) decorator(target, propertyKey, descriptor);
}

function objectProperties(
  schema: z.ZodType,
  where: string,
): { json: JsonSchema; defs: Record<string, JsonSchema> } {
  const { schema: json, defs } = zodJsonSchema(schema, 'input');
  if (json.type !== 'object' || typeof json.properties !== 'object')
    throw new Error(`${where}: the schema must be a z.object/z.strictObject`);
  return { json, defs };
}

/** The JSON body, validated by `schema` (400 VALIDATION_FAILED) and documented with it. */
export function ZodBody(schema: z.ZodType, options: { description?: string } = {}): ParameterDecorator {
  return (target, propertyKey, index) => {
    Body(new ZodValidationPipe(schema))(target, propertyKey, index);
    const { schema: json, defs } = zodJsonSchema(schema, 'input');
    onHandler(target, propertyKey, [
      ApiBody({ required: true, schema: json as never, ...options }),
      ...withDefs(defs),
    ]);
  };
}

/**
 * A body the handler reads itself (a stream through @Req, e.g. a CSV file of any size): its media type(s).
 * Several media types share the schema (a string, or binary for non-text types).
 */
export function ApiRawBody(
  contentType: string | string[],
  options: { description?: string } = {},
): MethodDecorator & ClassDecorator {
  const types = Array.isArray(contentType) ? contentType : [contentType];
  const binary = types.every((t) => !/^text\/|json|xml/.test(t));
  return applyDecorators(
    ApiConsumes(...types),
    ApiBody({
      required: true,
      schema: binary ? { type: 'string', format: 'binary' } : { type: 'string' },
      ...options,
    }),
  );
}

/** The query string, validated by `schema` (a z.object; 400 VALIDATION_FAILED), one parameter per property. */
export function ZodQuery(schema: z.ZodType): ParameterDecorator {
  return (target, propertyKey, index) => {
    Query(new ZodValidationPipe(schema))(target, propertyKey, index);
    onHandler(target, propertyKey, parameterDecorators(schema, 'query', `${String(propertyKey)}`));
  };
}

/** The path parameters, validated by `schema` (a z.object; 400 VALIDATION_FAILED), one parameter per property. */
export function ZodParams(schema: z.ZodType): ParameterDecorator {
  return (target, propertyKey, index) => {
    Param(new ZodValidationPipe(schema))(target, propertyKey, index);
    onHandler(target, propertyKey, parameterDecorators(schema, 'path', `${String(propertyKey)}`));
  };
}

function parameterDecorators(schema: z.ZodType, where: 'query' | 'path', handler: string): MethodDecorator[] {
  const { json, defs } = objectProperties(schema, handler);
  const properties = json.properties as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  const decorators: MethodDecorator[] = Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    const common = {
      name,
      schema: propertySchema as never,
      ...(typeof description === 'string' ? { description } : {}),
    };
    return where === 'path'
      ? ApiParam({ ...common, required: true })
      : ApiQuery({ ...common, required: required.has(name) });
  });
  return [...decorators, ...withDefs(defs)];
}

export interface ResultOptions {
  /** The success status; must equal the handler's (default 200, or @HttpCode's). */
  status?: number;
  description?: string;
  /** Default application/json. */
  contentType?: string;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
};

/**
 * Declared success statuses, checked against the status the handler really answers with (@HttpCode, else 201
 * for POST and 200 otherwise) by `checkDeclaredStatuses` once every decorator has run.
 */
const declaredStatuses: { handler: object; where: string; status: number }[] = [];

/** The declared success statuses that differ from the handlers' (`Class.handler: …`). */
export function checkDeclaredStatuses(): string[] {
  return declaredStatuses.flatMap(({ handler, where, status }) => {
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) return [`${where}: @ApiResult on a method that is not a route handler`];
    const actual =
      (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
      (method === RequestMethod.POST ? 201 : 200);
    return actual === status ? [] : [`${where}: responds ${actual} (@HttpCode) but declares ${status}`];
  });
}

function success(
  status: number,
  description: string | undefined,
  content?: Record<string, unknown>,
): MethodDecorator[] {
  return [
    (target, propertyKey, descriptor) => {
      declaredStatuses.push({
        handler: descriptor.value as object,
        where: `${(target as { constructor: { name: string } }).constructor.name}.${String(propertyKey)}`,
        status,
      });
      return descriptor;
    },
    ApiResponse({
      status,
      description: description ?? REASONS[status] ?? `HTTP ${status}`,
      ...(content ? { content } : {}),
    } as never),
    mergeExtension(OPENAPI_EXTENSIONS.success, { [status]: true }),
  ];
}

/**
 * The success response: what the handler returns, as the zod schema of its view (`output` side). Make the
 * handler's return type `z.infer<typeof schema>` so the schema cannot drift from the code.
 */
export function ApiResult(schema: z.ZodType, options: ResultOptions = {}): MethodDecorator & ClassDecorator {
  const { schema: json, defs } = zodJsonSchema(schema, 'output');
  return applyDecorators(
    ...success(options.status ?? 200, options.description, {
      [options.contentType ?? 'application/json']: { schema: json },
    }),
    ...withDefs(defs),
  );
}

/** A non-JSON success response (a file or text: PDF, CSV, HTML, Prometheus text). */
export function ApiFileResult(
  contentType: string,
  options: Omit<ResultOptions, 'contentType'> = {},
): MethodDecorator & ClassDecorator {
  const binary = !/^text\/|\+xml$|^application\/(json|xml)/.test(contentType);
  return applyDecorators(
    ...success(options.status ?? 200, options.description, {
      [contentType]: { schema: binary ? { type: 'string', format: 'binary' } : { type: 'string' } },
    }),
  );
}

/** A success response without a body (204 by default). */
export function ApiNoContentResult(
  options: Omit<ResultOptions, 'contentType'> = {},
): MethodDecorator & ClassDecorator {
  return applyDecorators(...success(options.status ?? 204, options.description));
}

/** One domain error of {@link ApiProblems}: its code, and optionally its status, when it occurs, its own members. */
export interface ApiProblem {
  code: string;
  status?: number;
  description?: string;
  /**
   * Members this problem adds to the problem+json body (e.g. the invoice import's `problems` list), as a zod
   * object; documented as `ProblemDetails` plus these members, so a generated client types them.
   */
  members?: z.ZodObject;
}

/**
 * The domain errors (problem+json) the operation can return, by code; each code's status comes from the
 * `registerErrorStatuses` tables when the document is built (an unknown code fails the build). A description
 * says when the code occurs; `members` declares what the problem adds to the body.
 */
export function ApiProblems(...codes: (string | ApiProblem)[]): MethodDecorator & ClassDecorator {
  let defs: Record<string, JsonSchema> = {};
  const entries = Object.fromEntries(
    codes.map((c) => {
      if (typeof c === 'string') return [c, {}];
      let members: JsonSchema | undefined;
      if (c.members) {
        const json = zodJsonSchema(c.members, 'output');
        members = json.schema;
        defs = { ...defs, ...json.defs };
      }
      return [c.code, { status: c.status, description: c.description, members }];
    }),
  );
  const decorators = [mergeExtension(OPENAPI_EXTENSIONS.problems, entries), ...withDefs(defs)];
  return (target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor && propertyKey !== undefined) {
      for (const d of decorators) d(target, propertyKey, descriptor);
      return;
    }
    // On a class: every handler of it.
    for (const name of Object.getOwnPropertyNames((target as { prototype: object }).prototype)) {
      if (name === 'constructor') continue;
      const proto = (target as { prototype: object }).prototype;
      const handler = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof handler?.value === 'function') for (const d of decorators) d(proto, name, handler);
    }
  };
}

/** A media type's schema: a zod schema (JSON, `output` side for responses) or a text/binary file. */
export type MediaSchema = z.ZodType | 'text' | 'binary';

function mediaContent(
  content: Record<string, MediaSchema>,
  io: 'input' | 'output',
): { content: Record<string, { schema: JsonSchema }>; defs: Record<string, JsonSchema> } {
  let defs: Record<string, JsonSchema> = {};
  const out: Record<string, { schema: JsonSchema }> = {};
  for (const [mediaType, schema] of Object.entries(content)) {
    if (schema === 'text') out[mediaType] = { schema: { type: 'string' } };
    else if (schema === 'binary') out[mediaType] = { schema: { type: 'string', format: 'binary' } };
    else {
      const json = zodJsonSchema(schema, io);
      out[mediaType] = { schema: json.schema };
      defs = { ...defs, ...json.defs };
    }
  }
  return { content: out, defs };
}

/**
 * The success response in several media types, one schema each (a representation chosen by the request,
 * e.g. `?format=json|csv` or `?format=csv|pdf`).
 */
export function ApiResults(
  content: Record<string, MediaSchema>,
  options: Omit<ResultOptions, 'contentType'> = {},
): MethodDecorator & ClassDecorator {
  const { content: media, defs } = mediaContent(content, 'output');
  return applyDecorators(...success(options.status ?? 200, options.description, media), ...withDefs(defs));
}

/** Operation extension of {@link ApiRequestContent}; `buildOpenApiDocument` moves it into the request body. */
export const REQUEST_CONTENT_EXTENSION = 'x-divit-request-content';

/**
 * A body the handler reads itself (through @Req) in several media types, each with its own schema, e.g. an
 * invoice file as text/csv or application/json. Documentation only: the handler validates.
 */
export function ApiRequestContent(
  content: Record<string, MediaSchema>,
  options: { description?: string } = {},
): MethodDecorator {
  const { content: media, defs } = mediaContent(content, 'input');
  return applyDecorators(
    ApiConsumes(...Object.keys(content)),
    // @nestjs/swagger gives every media type the same schema: buildOpenApiDocument puts in `media`.
    ApiBody({ required: true, schema: { type: 'string' }, ...options }),
    mergeExtension(REQUEST_CONTENT_EXTENSION, media),
    ...withDefs(defs),
  );
}
