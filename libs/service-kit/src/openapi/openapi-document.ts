import type { INestApplicationContext } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { statusFor } from '../domain-error';
import type { AuthErrorCode } from '../auth/auth.guard';
import {
  checkDeclaredStatuses,
  JsonSchema,
  OPENAPI_EXTENSIONS,
  REQUEST_CONTENT_EXTENSION,
} from './api-decorators';

/**
 * The OpenAPI 3.1 document of a service, made by @nestjs/swagger from the application's module graph
 * (docs/adr/0027). Create the application with `{ preview: true }`: nothing is instantiated, so no database
 * or broker is needed. The operations are declared with the decorators of ./api-decorators; this adds what
 * the platform does to every route: bearer security and 401 unless @Public, 403 and `x-roles` with
 * @Roles, 400 VALIDATION_FAILED when the request has a schema, 429 RATE_LIMITED (not /health/*), and the
 * problem+json responses of the codes named by @ApiProblems.
 */

export interface OpenApiServiceInfo {
  title: string;
  version: string;
  description?: string;
  servers?: { url: string; description?: string }[];
}

export interface OperationSummary {
  /** `GET /path/{id}` */
  operation: string;
  operationId: string;
  /** A 2xx response with a schema (or a declared response without body, e.g. 204). */
  hasResponseSchema: boolean;
}

export interface BuiltOpenApiDocument {
  document: OpenAPIObject;
  operations: OperationSummary[];
}

const PROBLEM_JSON = 'application/problem+json';
const BEARER = 'bearerAuth';
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head'] as const;

/** The global guard's codes (libs/service-kit/src/auth/auth.guard.ts); a new code fails the typecheck here. */
const AUTH_RESPONSES = {
  UNAUTHENTICATED: 'Unauthenticated',
  FORBIDDEN_ROLE: 'ForbiddenRole',
  // 503 when the identity provider's keys cannot be read: not listed per operation, like other unavailable dependencies.
  AUTHENTICATION_UNAVAILABLE: undefined,
} satisfies Record<AuthErrorCode, string | undefined>;

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
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
const reason = (status: number): string => REASONS[status] ?? `HTTP ${status}`;

const problemRef = (schema = 'ProblemDetails') => ({
  [PROBLEM_JSON]: { schema: { $ref: `#/components/schemas/${schema}` } },
});

const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
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
    // Open, as every response object here (JSON Schema's default): clients ignore members they do not know.
    // Members a problem adds are declared per operation (@ApiProblems members), so clients type them; an
    // explicit `additionalProperties: true` would make every member `unknown` in generated clients.
  },
  ValidationProblem: {
    allOf: [
      { $ref: '#/components/schemas/ProblemDetails' },
      {
        required: ['code', 'errors'],
        properties: { status: { const: 400 }, code: { const: 'VALIDATION_FAILED' } },
      },
    ],
  },
};

const COMPONENT_RESPONSES: Record<string, JsonSchema> = {
  ValidationFailed: {
    description:
      'Bad Request: the body, path or query is invalid; `errors` names each field (code VALIDATION_FAILED).',
    content: problemRef('ValidationProblem'),
  },
  [AUTH_RESPONSES.UNAUTHENTICATED]: {
    description: 'Unauthorized: no valid bearer token (code UNAUTHENTICATED).',
    content: problemRef(),
  },
  [AUTH_RESPONSES.FORBIDDEN_ROLE]: {
    description: 'Forbidden: the token holds none of the roles in `x-roles` (code FORBIDDEN_ROLE).',
    content: problemRef(),
  },
  RateLimited: {
    description:
      'Too Many Requests: the client exceeded its rate limit; see Retry-After (code RATE_LIMITED).',
    content: problemRef(),
  },
};

type Operation = {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<
    string,
    { $ref?: string; description?: string; content?: Record<string, { schema?: unknown }> }
  >;
  security?: Record<string, string[]>[];
  [extension: string]: unknown;
};

/** `ConsentTextsController.create` → `consentTextsCreate` (the operation ids of the earlier documents). */
export function operationIdFor(controllerKey: string, methodKey: string): string {
  const base = controllerKey.replace(/Controller$/, '') || controllerKey;
  return `${base.charAt(0).toLowerCase()}${base.slice(1)}${methodKey.charAt(0).toUpperCase()}${methodKey.slice(1)}`;
}

export function buildOpenApiDocument(
  app: INestApplicationContext,
  info: OpenApiServiceInfo,
): BuiltOpenApiDocument {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(info.title)
    .setVersion(info.version)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token of the identity provider; roles in the `roles` claim.',
      },
      BEARER,
    );
  if (info.description) builder.setDescription(info.description);
  for (const server of info.servers ?? []) builder.addServer(server.url, server.description);
  const handlers = new Set<string>();
  const raw = SwaggerModule.createDocument(app as never, builder.build(), {
    operationIdFactory: (controllerKey, methodKey) => {
      handlers.add(`${controllerKey}.${methodKey}`);
      return operationIdFor(controllerKey, methodKey);
    },
    autoTagControllers: true,
  });
  const document = cleanupOpenApiDoc(raw, { version: '3.1' });
  const built = finish(document);
  const wrongStatuses = checkDeclaredStatuses().filter((p) => handlers.has(p.split(':')[0]!));
  if (wrongStatuses.length > 0)
    throw new Error(`the OpenAPI declarations are inconsistent:\n  ${wrongStatuses.join('\n  ')}`);
  return built;
}

/** Adds the platform's responses and security, hoists schema definitions, sorts; exported for the tests. */
export function finish(document: OpenAPIObject): BuiltOpenApiDocument {
  const schemas: Record<string, JsonSchema> = {
    ...((document.components?.schemas ?? {}) as Record<string, JsonSchema>),
    ...COMPONENT_SCHEMAS,
  };
  const problems: string[] = [];
  const operations: OperationSummary[] = [];
  const paths: Record<string, Record<string, Operation>> = {};

  for (const path of Object.keys(document.paths).sort()) {
    const item = document.paths[path] as unknown as Record<string, Operation>;
    paths[path] = {};
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const isPublic = op[OPENAPI_EXTENSIONS.public] === true;
      const roles = op[OPENAPI_EXTENSIONS.roles] as string[] | undefined;
      const declared = (op[OPENAPI_EXTENSIONS.success] ?? {}) as Record<string, true>;
      const codes = (op[OPENAPI_EXTENSIONS.problems] ?? {}) as Record<
        string,
        { status?: number; description?: string; members?: JsonSchema }
      >;
      const defs = (op[OPENAPI_EXTENSIONS.defs] ?? {}) as Record<string, JsonSchema>;
      // @ApiRequestContent: one schema per media type of a body the handler reads itself.
      const requestContent = op[REQUEST_CONTENT_EXTENSION] as Record<string, unknown> | undefined;
      delete op[REQUEST_CONTENT_EXTENSION];
      if (requestContent && op.requestBody)
        op.requestBody = { ...(op.requestBody as Record<string, unknown>), content: requestContent };
      for (const key of Object.values(OPENAPI_EXTENSIONS))
        if (key !== OPENAPI_EXTENSIONS.roles) delete op[key];
      if (isPublic) delete op[OPENAPI_EXTENSIONS.roles];

      for (const [name, schema] of Object.entries(defs)) {
        if (schemas[name] !== undefined && JSON.stringify(schemas[name]) !== JSON.stringify(schema))
          problems.push(`${where}: two different schemas are named ${name}`);
        schemas[name] = schema;
      }

      // Without a declared response, @nestjs/swagger adds one of @HttpCode's status without content.
      const responses: Operation['responses'] = { ...op.responses };
      for (const [status, response] of Object.entries(responses))
        if (!response.description) responses[status] = { ...response, description: reason(Number(status)) };
      if (op.parameters?.length === 0) delete op.parameters;

      const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
      // Path and query parameters and bodies are validated (400); a header parameter (e.g. the simulators'
      // x-simulator-token) is a credential, refused with 401, never a 400.
      const validated = (op.parameters ?? []).some((p) => (p as { in?: string }).in !== 'header');
      if (validated || op.requestBody !== undefined) responses['400'] = ref('ValidationFailed');
      if (!isPublic) {
        responses['401'] = ref(AUTH_RESPONSES.UNAUTHENTICATED);
        if (roles && roles.length > 0) responses['403'] = ref(AUTH_RESPONSES.FORBIDDEN_ROLE);
      }
      const byStatus = new Map<number, string[]>();
      // Members a problem adds to the body (@ApiProblems({ members })), by status.
      const membersByStatus = new Map<number, { code: string; members: JsonSchema }[]>();
      for (const [code, { status: given, description, members }] of Object.entries(codes)) {
        const status = given ?? statusFor(code);
        if (status === undefined) {
          problems.push(`${where}: @ApiProblems names ${code}, which no registerErrorStatuses table maps`);
          continue;
        }
        byStatus.set(status, [
          ...(byStatus.get(status) ?? []),
          description ? `${code} (${description})` : code,
        ]);
        if (members) membersByStatus.set(status, [...(membersByStatus.get(status) ?? []), { code, members }]);
      }
      const problemContent = (status: number) => {
        const extended = membersByStatus.get(status);
        if (!extended) return problemRef();
        const alone = (byStatus.get(status) ?? []).length === 1;
        const properties: Record<string, JsonSchema> = {};
        const required: string[] = [];
        for (const { code, members } of extended) {
          for (const [name, schema] of Object.entries(
            (members.properties ?? {}) as Record<string, JsonSchema>,
          )) {
            if (properties[name] !== undefined && JSON.stringify(properties[name]) !== JSON.stringify(schema))
              problems.push(`${where}: two problems of status ${status} declare member ${name} differently`);
            properties[name] = alone ? schema : { ...schema, description: `${code} only.` };
          }
          // Required only when this is the status's one code: another code's body lacks them.
          if (alone) required.push(...((members.required ?? []) as string[]));
        }
        return {
          [PROBLEM_JSON]: {
            schema: {
              allOf: [
                { $ref: '#/components/schemas/ProblemDetails' },
                { type: 'object', properties, ...(required.length > 0 ? { required } : {}) },
              ],
            },
          },
        };
      };
      for (const [status, all] of byStatus) {
        if (membersByStatus.has(status) && (status === 400 || status === 403))
          problems.push(
            `${where}: a ${status} problem cannot declare members (it shares the platform's response)`,
          );
        // A handler's own 403 codes join the role check's FORBIDDEN_ROLE; they do not replace it.
        const withRoleCheck = status === 403 && responses['403'] !== undefined;
        const list = withRoleCheck ? all.filter((c) => c !== 'FORBIDDEN_ROLE') : all;
        if (withRoleCheck) {
          responses['403'] = {
            description: `Forbidden: the token holds none of the roles in \`x-roles\` (code FORBIDDEN_ROLE)${list.length > 0 ? `, or code ${list.join('; ')}` : ''}.`,
            content: problemRef(),
          };
          continue;
        }
        if (status === 400 && responses['400']) {
          responses['400'] = {
            description: `Bad Request: the request is invalid (code VALIDATION_FAILED), or ${list.join('; ')}.`,
            content: problemRef(),
          };
          continue;
        }
        responses[String(status)] = {
          description: `${reason(status)}: code ${list.join('; ')}.`,
          content: problemContent(status),
        };
      }
      if (!path.startsWith('/health/')) responses['429'] = ref('RateLimited');

      const sorted = Object.fromEntries(
        Object.keys(responses)
          .sort()
          .map((s) => [s, responses[s]!]),
      );
      const result: Operation = { ...op, responses: sorted, security: isPublic ? [] : [{ [BEARER]: [] }] };
      paths[path][method] = result;

      const success = Object.entries(sorted).filter(([s]) => /^2/.test(s));
      operations.push({
        operation: where,
        operationId: op.operationId ?? where,
        hasResponseSchema: success.some(
          ([status, r]) =>
            declared[status] === true &&
            (r.content === undefined || Object.values(r.content).every((m) => m.schema !== undefined)),
        ),
      });
    }
  }
  if (problems.length > 0)
    throw new Error(`the OpenAPI declarations are inconsistent:\n  ${problems.join('\n  ')}`);

  const tags = new Set(
    Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => (op.tags as string[]) ?? [])),
  );
  const out = {
    ...document,
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      ...document.components,
      schemas: Object.fromEntries(
        Object.keys(schemas)
          .sort()
          .map((k) => [k, schemas[k]]),
      ),
      responses: COMPONENT_RESPONSES,
    },
  } as unknown as OpenAPIObject;
  const dangling = danglingRefs(out);
  if (dangling.length > 0)
    throw new Error(`the OpenAPI document has unresolved $refs: ${dangling.join(', ')}`);
  return { document: out, operations };
}

/** Local `$ref`s that point nowhere. */
export function danglingRefs(document: unknown): string[] {
  const missing = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const target = value
          .replace(/^#\//, '')
          .split('/')
          .reduce<unknown>(
            (n, k) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[k] : undefined),
            document,
          );
        if (target === undefined) missing.add(value);
      } else visit(value);
    }
  };
  visit(document);
  return [...missing].sort();
}
