import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { z } from 'zod';
import { ZodValidationPipe } from '../zod-validation.pipe';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/auth.decorators';
import type { AuthErrorCode } from '../auth/auth.guard';

/**
 * OpenAPI 3.1 from NestJS controllers, read from their decorator metadata (no application is booted):
 * routes from @Controller/@Get/@Post/…, status from @HttpCode, request schemas from the zod schemas of
 * `ZodValidationPipe`s on @Body/@Param/@Query, security from @Public/@Roles, and error responses
 * (RFC 9457 problem+json) from the validation pipe, the global auth guard and the module's
 * `registerErrorStatuses` table. Pure: same input, same document.
 */

export type JsonSchema = { [keyword: string]: unknown };

export interface OperationOverride {
  /** A body the handler reads itself (e.g. a stream via @Req), not through @Body. */
  requestBody?: { contentType: string; schema?: JsonSchema; description?: string; required?: boolean };
  /** The success response when it is not JSON, or when its schema is known. */
  response?: { contentType: string; schema?: JsonSchema; description?: string };
  /** Further problem+json responses the metadata cannot show (status → description). */
  extraResponses?: Record<number, string>;
}

export interface ControllerSource {
  /** A class decorated with @Controller. */
  controller: abstract new (...args: never[]) => unknown;
  /** The module's domain error codes → HTTP status (its `registerErrorStatuses` table(s)). */
  errorStatuses?: Readonly<Record<string, number>>;
  /** Becomes the description of the controller's tag (e.g. its doc comment). */
  description?: string;
  /** Handler (method) name → description (e.g. its doc comment). */
  operationDescriptions?: Readonly<Record<string, string>>;
  /** Handler name → non-JSON media types or responses the handler produces itself. */
  overrides?: Readonly<Record<string, OperationOverride>>;
  /**
   * Handler name → the domain error codes it can produce (e.g. from a call-graph analysis). A handler not
   * listed is documented with every code of `errorStatuses`.
   */
  errorCodes?: Readonly<Record<string, readonly string[]>>;
  /** Handler names whose success response is a file stream (StreamableFile) of unknown media type. */
  streamingHandlers?: readonly string[];
}

export interface OpenApiFromControllersInput {
  info: { title: string; version: string; description?: string };
  servers?: { url: string; description?: string }[];
  controllers: readonly ControllerSource[];
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers?: { url: string; description?: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  description?: string;
  tags: string[];
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
  security: Record<string, string[]>[];
  'x-roles'?: string[];
}

/**
 * Codes of the global guard (libs/service-kit/src/auth/auth.guard.ts); a new code fails the typecheck here.
 * AUTHENTICATION_UNAVAILABLE (503, the identity provider's keys cannot be read) is not listed per operation, like
 * the other 503s of an unavailable dependency.
 */
const AUTH_ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN_ROLE: 403,
  AUTHENTICATION_UNAVAILABLE: 503,
} satisfies Record<AuthErrorCode, number>;
const VALIDATION_CODE = 'VALIDATION_FAILED';
const PROBLEM_JSON = 'application/problem+json';
const BEARER = 'bearerAuth';

const HTTP_METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.OPTIONS]: 'options',
  [RequestMethod.HEAD]: 'head',
};
const METHOD_ORDER = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head'];

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
const reason = (status: number): string => REASONS[status] ?? `HTTP ${status}`;

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

type Handler = (...args: unknown[]) => unknown;

export function openApiFromControllers(input: OpenApiFromControllersInput): OpenApiDocument {
  const components = new ComponentSchemas();
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const tags: { name: string; description?: string }[] = [];
  const operationIds = new Set<string>();

  for (const source of input.controllers) {
    const controller = source.controller;
    const controllerPaths = asPaths(Reflect.getMetadata(PATH_METADATA, controller));
    if (controllerPaths === undefined) throw new Error(`${controller.name} is not a @Controller`);
    const base = controller.name.replace(/Controller$/, '') || controller.name;
    const tag = base;
    tags.push({ name: tag, ...(source.description ? { description: source.description } : {}) });
    const classRoles = Reflect.getMetadata(ROLES_KEY, controller) as string[] | undefined;
    const classPublic = Reflect.getMetadata(PUBLIC_KEY, controller) as boolean | undefined;

    const prototype = controller.prototype as Record<string, unknown>;
    const handlerNames = Object.getOwnPropertyNames(prototype).filter((name) => {
      if (name === 'constructor') return false;
      const value = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      return typeof value === 'function' && Reflect.hasMetadata(METHOD_METADATA, value);
    });
    for (const name of Object.keys(source.overrides ?? {})) {
      if (!handlerNames.includes(name))
        throw new Error(`override for ${controller.name}.${name}: no such route handler`);
    }

    for (const handlerName of handlerNames) {
      const handler = prototype[handlerName] as Handler;
      const where = `${controller.name}.${handlerName}`;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
      const method = HTTP_METHODS[requestMethod];
      if (!method)
        throw new Error(`${where}: request method ${RequestMethod[requestMethod]} has no OpenAPI equivalent`);
      const override = source.overrides?.[handlerName];
      // Same precedence as the guard (Reflector.getAllAndOverride): the handler's metadata, else the class's.
      const roles = (Reflect.getMetadata(ROLES_KEY, handler) as string[] | undefined) ?? classRoles;
      const isPublic =
        (Reflect.getMetadata(PUBLIC_KEY, handler) as boolean | undefined) ?? classPublic ?? false;
      const status =
        (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
        (requestMethod === RequestMethod.POST ? 201 : 200);
      const args = Object.entries(
        (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) as Record<
          string,
          RouteArgument
        >) ?? {},
      )
        .map(([key, arg]) => ({ type: Number(key.split(':')[0]), arg }))
        // Custom decorators (createParamDecorator) have non-numeric keys: nothing to document.
        .filter(({ type }) => Number.isInteger(type))
        .sort((a, b) => a.arg.index - b.arg.index);

      for (const routePath of asPaths(Reflect.getMetadata(PATH_METADATA, handler)) ?? ['/']) {
        for (const controllerPath of controllerPaths) {
          const { template, pathParams } = toTemplate(controllerPath, routePath, where);
          const schemaBase = `${base}${upperFirst(handlerName)}`;
          let validated = false;
          const parameters: JsonSchema[] = [];
          let requestBody: JsonSchema | undefined;

          for (const { type, arg } of args) {
            const schema = zodSchemaOf(arg.pipes);
            if (schema) validated = true;
            const data = typeof arg.data === 'string' ? arg.data : undefined;
            if (type === Number(RouteParamtypes.PARAM) || type === Number(RouteParamtypes.QUERY)) {
              const location = type === Number(RouteParamtypes.PARAM) ? 'path' : 'query';
              const suffix = location === 'path' ? 'Params' : 'Query';
              parameters.push(...toParameters(schema, data, location, components, `${schemaBase}${suffix}`));
            } else if (type === Number(RouteParamtypes.BODY)) {
              const json = schema ? components.convert(schema, `${schemaBase}Body`) : {};
              const bodySchema = data === undefined ? json : { type: 'object', properties: { [data]: json } };
              requestBody = {
                required: schema ? !acceptsAbsentBody(schema, data) : false,
                content: { 'application/json': { schema: bodySchema } },
              };
            }
          }
          if (override?.requestBody) {
            const { contentType, schema, description, required } = override.requestBody;
            requestBody = {
              ...(description ? { description } : {}),
              required: required ?? true,
              content: { [contentType]: { schema: schema ?? {} } },
            };
          }

          // Path parameters: in template order, undeclared ones as plain strings; the pipe's schema wins.
          const pathParameters = pathParams.map(
            (param) =>
              parameters.find((p) => p.in === 'path' && p.name === param) ?? {
                name: param,
                in: 'path',
                required: true,
                schema: { type: 'string' },
              },
          );
          const queryParameters = parameters.filter((p) => p.in === 'query');
          const allParameters = [...pathParameters, ...queryParameters];

          const responses: Record<string, JsonSchema> = {
            [String(status)]: successResponse(
              status,
              override,
              source.streamingHandlers?.includes(handlerName),
            ),
          };
          const codesByStatus = new Map<number, string[]>();
          const addCode = (code: string, codeStatus: number) =>
            codesByStatus.set(codeStatus, [...(codesByStatus.get(codeStatus) ?? []), code]);
          if (validated) addCode(VALIDATION_CODE, 400);
          if (!isPublic) addCode('UNAUTHENTICATED', AUTH_ERROR_STATUS.UNAUTHENTICATED);
          if (!isPublic && roles) addCode('FORBIDDEN_ROLE', AUTH_ERROR_STATUS.FORBIDDEN_ROLE);
          const table = source.errorStatuses ?? {};
          const handlerCodes = source.errorCodes?.[handlerName] ?? Object.keys(table);
          for (const code of [...new Set(handlerCodes)].sort(compare)) {
            const codeStatus = table[code];
            if (codeStatus === undefined)
              throw new Error(`${where}: error code ${code} has no status in errorStatuses`);
            addCode(code, codeStatus);
          }
          for (const [errorStatus, codes] of [...codesByStatus].sort((a, b) => a[0] - b[0])) {
            responses[String(errorStatus)] = problemResponse(errorStatus, codes, roles);
          }
          for (const [extra, description] of Object.entries(override?.extraResponses ?? {})) {
            if (responses[extra]) throw new Error(`${where}: extra response ${extra} is already documented`);
            responses[extra] = {
              description,
              content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
            };
          }

          let operationId = `${lowerFirst(base)}${upperFirst(handlerName)}`;
          for (let n = 2; operationIds.has(operationId); n++)
            operationId = `${lowerFirst(base)}${upperFirst(handlerName)}${n}`;
          operationIds.add(operationId);
          const description = source.operationDescriptions?.[handlerName]?.trim();
          const operation: OpenApiOperation = {
            operationId,
            ...(description ? { summary: firstSentence(description) } : {}),
            ...(description && description !== firstSentence(description) ? { description } : {}),
            tags: [tag],
            ...(allParameters.length > 0 ? { parameters: allParameters } : {}),
            ...(requestBody ? { requestBody } : {}),
            responses,
            security: isPublic ? [] : [{ [BEARER]: [] }],
            ...(!isPublic && roles ? { 'x-roles': [...roles] } : {}),
          };
          const item = (paths[template] ??= {});
          if (item[method])
            throw new Error(`${method.toUpperCase()} ${template} is declared twice (${where})`);
          item[method] = operation;
        }
      }
    }
  }

  return {
    openapi: '3.1.0',
    info: { ...input.info },
    ...(input.servers && input.servers.length > 0 ? { servers: input.servers.map((s) => ({ ...s })) } : {}),
    tags: tags.sort((a, b) => compare(a.name, b.name)),
    paths: Object.fromEntries(
      Object.keys(paths)
        .sort(compare)
        .map((p) => {
          const item = paths[p] ?? {};
          return [p, Object.fromEntries(METHOD_ORDER.filter((m) => item[m]).map((m) => [m, item[m]]))];
        }),
    ) as Record<string, Record<string, OpenApiOperation>>,
    components: {
      schemas: mergeSchemas(sharedSchemas(), components.all()),
      responses: sharedResponses(),
      securitySchemes: {
        [BEARER]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Access token of the identity provider; roles in the `roles` claim.',
        },
      },
    },
  };
}

/** Structural problems of a document: unresolved $refs, path parameters, duplicate ids, missing descriptions. */
export function validateOpenApiDocument(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['the document is not an object'];
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.1.')) problems.push('openapi: not 3.1.x');
  const info = doc.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string') {
    problems.push('info: title and version are required');
  }
  walk(doc, '#', (node, pointer) => {
    const ref = node.$ref;
    if (ref === undefined) return;
    if (typeof ref !== 'string' || !ref.startsWith('#/'))
      problems.push(`${pointer}: $ref ${JSON.stringify(ref)} is not local`);
    else if (resolvePointer(doc, ref) === undefined)
      problems.push(`${pointer}: $ref ${ref} does not resolve`);
  });
  const schemes =
    isObject(doc.components) && isObject(doc.components.securitySchemes)
      ? doc.components.securitySchemes
      : {};
  const ids = new Set<string>();
  if (!isObject(doc.paths)) return [...problems, 'paths: missing'];
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!template.startsWith('/')) problems.push(`${template}: path must start with /`);
    const templateParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${template}`;
      if (!isObject(operation)) continue;
      if (typeof operation.operationId !== 'string') problems.push(`${at}: operationId missing`);
      else if (ids.has(operation.operationId))
        problems.push(`${at}: operationId ${operation.operationId} not unique`);
      else ids.add(operation.operationId);
      const params = (Array.isArray(operation.parameters) ? (operation.parameters as unknown[]) : []).map(
        (p) => (isObject(p) && typeof p.$ref === 'string' ? resolvePointer(doc, p.$ref) : p),
      );
      const seen = new Set<string>();
      for (const p of params) {
        if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string') {
          problems.push(`${at}: parameter without name/in`);
          continue;
        }
        if (seen.has(`${p.in}:${p.name}`)) problems.push(`${at}: parameter ${p.in} ${p.name} declared twice`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === 'path' && !templateParams.includes(p.name))
          problems.push(`${at}: path parameter ${p.name} not in the path`);
        if (p.in === 'path' && p.required !== true)
          problems.push(`${at}: path parameter ${p.name} must be required`);
      }
      for (const name of templateParams) {
        if (!seen.has(`path:${name}`)) problems.push(`${at}: path parameter ${name} not declared`);
      }
      if (!isObject(operation.responses) || Object.keys(operation.responses).length === 0) {
        problems.push(`${at}: no responses`);
      } else {
        for (const [code, response] of Object.entries(operation.responses)) {
          const resolved =
            isObject(response) && typeof response.$ref === 'string'
              ? resolvePointer(doc, response.$ref)
              : response;
          if (!/^[1-5](\d\d|XX)$|^default$/.test(code))
            problems.push(`${at}: response key ${code} is not a status`);
          if (!isObject(resolved) || typeof resolved.description !== 'string')
            problems.push(`${at}: response ${code} needs a description`);
        }
      }
      for (const requirement of Array.isArray(operation.security) ? operation.security : []) {
        for (const scheme of isObject(requirement) ? Object.keys(requirement) : []) {
          if (!(scheme in schemes)) problems.push(`${at}: security scheme ${scheme} is not defined`);
        }
      }
    }
  }
  return problems;
}

/** The schema of the ZodValidationPipe among a parameter's pipes, if any. */
function zodSchemaOf(pipes: unknown[] | undefined): z.ZodType | undefined {
  for (const pipe of pipes ?? []) {
    if (pipe instanceof ZodValidationPipe && isZodSchema(pipe.schema)) return pipe.schema;
  }
  return undefined;
}

function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value && 'safeParse' in value;
}

/** ZodValidationPipe parses `value ?? {}`: an absent body is an empty object. */
function acceptsAbsentBody(schema: z.ZodType, data: string | undefined): boolean {
  return data === undefined ? schema.safeParse({}).success : schema.safeParse(undefined).success;
}

function toParameters(
  schema: z.ZodType | undefined,
  data: string | undefined,
  location: 'path' | 'query',
  components: ComponentSchemas,
  name: string,
): JsonSchema[] {
  if (!schema) {
    return data === undefined
      ? []
      : [{ name: data, in: location, required: location === 'path', schema: { type: 'string' } }];
  }
  const converted = components.convert(schema, name);
  if (data !== undefined) {
    return [
      {
        name: data,
        in: location,
        required: location === 'path' || !schema.safeParse(undefined).success,
        schema: converted,
      },
    ];
  }
  const json = components.resolve(converted);
  if (!isObject(json.properties)) {
    // Not a plain object schema: one exploded form parameter (OpenAPI's way to say "these query keys").
    return [
      { name, in: location, required: location === 'path', style: 'form', explode: true, schema: converted },
    ];
  }
  const required = Array.isArray(json.required) ? (json.required as string[]) : [];
  return Object.entries(json.properties).map(([property, propertySchema]) => {
    const { description, ...rest } = (isObject(propertySchema) ? propertySchema : {}) as JsonSchema;
    return {
      name: property,
      in: location,
      required: location === 'path' || required.includes(property),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function successResponse(
  status: number,
  override: OperationOverride | undefined,
  streaming = false,
): JsonSchema {
  if (override?.response) {
    const { contentType, schema, description } = override.response;
    return {
      description: description ?? reason(status),
      content: { [contentType]: { schema: schema ?? {} } },
    };
  }
  if (status === 204) return { description: reason(status) };
  if (streaming) return { description: reason(status), content: { 'application/octet-stream': {} } };
  return { description: reason(status), content: { 'application/json': { schema: {} } } };
}

function problemResponse(status: number, codes: string[], roles: string[] | undefined): JsonSchema {
  const only = codes.length === 1 ? codes[0] : undefined;
  if (only === VALIDATION_CODE) return { $ref: '#/components/responses/ValidationFailed' };
  if (only === 'UNAUTHENTICATED') return { $ref: '#/components/responses/Unauthenticated' };
  const description =
    only === 'FORBIDDEN_ROLE'
      ? `${reason(status)}: the caller holds none of the roles ${(roles ?? []).join(', ')} (code FORBIDDEN_ROLE).`
      : `${reason(status)}. Problem codes: ${codes.join(', ')}.`;
  const schema = {
    allOf: [
      { $ref: '#/components/schemas/ProblemDetails' },
      {
        properties: {
          status: { const: status },
          code: only !== undefined ? { const: only } : { enum: codes },
        },
      },
    ],
  };
  return { description, content: { [PROBLEM_JSON]: { schema } } };
}

function sharedSchemas(): Record<string, JsonSchema> {
  return {
    FieldError: {
      type: 'object',
      required: ['field', 'message'],
      properties: {
        field: { type: 'string', description: 'Dotted path of the field, `(body)` for the whole body.' },
        message: { type: 'string', description: 'The rule that failed; never the submitted value.' },
      },
    },
    ProblemDetails: {
      type: 'object',
      description: 'RFC 9457 problem details; domain errors may add non-personal extension members.',
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string', description: '`urn:divit:problem:<code>` or `about:blank`.' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string', description: 'The request path.' },
        code: { type: 'string', description: 'Machine-readable error code.' },
        errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' } },
      },
      additionalProperties: true,
    },
    ValidationProblem: {
      allOf: [
        { $ref: '#/components/schemas/ProblemDetails' },
        {
          required: ['code', 'errors'],
          properties: { status: { const: 400 }, code: { const: VALIDATION_CODE } },
        },
      ],
    },
  };
}

function mergeSchemas(shared: Record<string, JsonSchema>, generated: Record<string, JsonSchema>) {
  for (const name of Object.keys(generated)) {
    if (name in shared) throw new Error(`schema name ${name} is reserved for the problem+json components`);
  }
  return { ...shared, ...generated };
}

function sharedResponses(): Record<string, JsonSchema> {
  const problem = (schema: string) => ({
    [PROBLEM_JSON]: { schema: { $ref: `#/components/schemas/${schema}` } },
  });
  return {
    Unauthenticated: {
      description: 'Unauthorized: no valid bearer token (code UNAUTHENTICATED).',
      content: problem('ProblemDetails'),
    },
    ValidationFailed: {
      description:
        'Bad Request: the body, path or query is invalid; `errors` names each field (code VALIDATION_FAILED).',
      content: problem('ValidationProblem'),
    },
  };
}

/**
 * zod → JSON Schema 2020-12 (input side: what a client sends). Definitions zod extracts (`$defs`: ids from
 * `.meta({ id })`, cycles) move to components/schemas so every `$ref` resolves within the document.
 */
class ComponentSchemas {
  private readonly schemas = new Map<string, JsonSchema>();

  convert(schema: z.ZodType, baseName: string): JsonSchema {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'any',
    }) as JsonSchema;
    delete json.$schema;
    const defs = isObject(json.$defs) ? json.$defs : {};
    delete json.$defs;
    // Ids given with .meta({ id }) are unique per zod registry: keep them; generated ones get the operation's name.
    const nameOf = (def: string) =>
      /^[A-Za-z][A-Za-z0-9._-]*$/.test(def)
        ? def
        : `${baseName}_${def.replace(/[^A-Za-z0-9._-]/g, '').replace(/^_+/, '')}`;
    let rootReferenced = false;
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (!isObject(node)) return node;
      const out: JsonSchema = {};
      for (const [key, value] of Object.entries(node)) {
        if (key !== '$ref' || typeof value !== 'string') out[key] = rewrite(value);
        else if (value === '#') {
          rootReferenced = true;
          out[key] = `#/components/schemas/${baseName}`;
        } else if (value.startsWith('#/$defs/')) out[key] = `#/components/schemas/${nameOf(value.slice(8))}`;
        else out[key] = value;
      }
      return out;
    };
    for (const [def, body] of Object.entries(defs)) this.add(nameOf(def), rewrite(body) as JsonSchema);
    const root = rewrite(json) as JsonSchema;
    if (!rootReferenced) return root;
    this.add(baseName, root);
    return { $ref: `#/components/schemas/${baseName}` };
  }

  /** The schema itself when it is a reference to one of these components. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) return schema;
    return this.schemas.get(ref.slice('#/components/schemas/'.length)) ?? schema;
  }

  all(): Record<string, JsonSchema> {
    return Object.fromEntries(
      [...this.schemas.keys()].sort(compare).map((k) => [k, this.schemas.get(k) ?? {}]),
    );
  }

  private add(name: string, schema: JsonSchema): void {
    const existing = this.schemas.get(name);
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(schema)) {
      throw new Error(`two different schemas are named ${name} (zod .meta({ id }) or a generated name)`);
    }
    this.schemas.set(name, schema);
  }
}

function asPaths(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.map((p) => (typeof p === 'string' ? p : '/'));
}

function toTemplate(
  controllerPath: string,
  routePath: string,
  where: string,
): { template: string; pathParams: string[] } {
  const joined = [controllerPath, routePath]
    .flatMap((p) => p.split('/'))
    .filter((segment) => segment.length > 0)
    .join('/');
  if (/[*?(){}]/.test(joined))
    throw new Error(`${where}: path /${joined} uses wildcard or optional syntax, not supported`);
  const pathParams: string[] = [];
  const template = `/${joined}`.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    pathParams.push(name);
    return `{${name}}`;
  });
  return { template, pathParams };
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const match = /^(.+?[.!?])(\s|$)/.exec(flat);
  return match?.[1] ?? flat;
}

function walk(
  node: unknown,
  pointer: string,
  visit: (node: Record<string, unknown>, pointer: string) => void,
): void {
  if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${pointer}/${i}`, visit));
  else if (isObject(node)) {
    visit(node, pointer);
    for (const [key, child] of Object.entries(node))
      walk(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, visit);
  }
}

function resolvePointer(doc: unknown, ref: string): unknown {
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node) && Object.prototype.hasOwnProperty.call(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
