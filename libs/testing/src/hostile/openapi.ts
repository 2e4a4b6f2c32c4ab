import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A JSON schema as the committed OpenAPI documents spell it (zod-generated; only what the tier reads). */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
}

/** One operation of a service's committed OpenAPI document. */
export interface Operation {
  operationId: string;
  method: string;
  /** The OpenAPI path template, e.g. `/registrations/{id}`. */
  path: string;
  /** True when the operation declares a bearer-token requirement. */
  secured: boolean;
  parameters: Parameter[];
  /** The request body's media type and schema, when the operation declares one. */
  body: { contentType: string; schema: Schema; required: boolean } | null;
}

const REPO_ROOT = resolve(__dirname, '../../../..');

/** The committed OpenAPI document of a service (docs/openapi/<service>.json, written by tools/openapi). */
export function openApiDocumentPath(service: string): string {
  return join(REPO_ROOT, 'docs', 'openapi', `${service}.json`);
}

interface RawOperation {
  operationId?: string;
  security?: Record<string, unknown>[];
  parameters?: (Partial<Parameter> & { $ref?: string })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}

/** Every operation of the document, in document order, with local `$ref`s of bodies resolved. */
export function loadOperations(service: string): Operation[] {
  const doc = JSON.parse(readFileSync(openApiDocumentPath(service), 'utf8')) as {
    paths: Record<string, Record<string, RawOperation>>;
    security?: Record<string, unknown>[];
  };
  const resolveRef = <T>(value: T & { $ref?: string }): T => {
    if (!value.$ref) return value;
    const target = value.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc);
    return resolveRef(target as T & { $ref?: string });
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
      const security = raw.security ?? doc.security ?? [];
      const content = raw.requestBody?.content ?? {};
      const contentType = Object.keys(content)[0];
      operations.push({
        operationId: raw.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        secured: security.some((s) => Object.keys(s).length > 0),
        parameters: (raw.parameters ?? []).map((p) => {
          const param = resolveRef(p) as Parameter;
          return { ...param, required: Boolean(param.required), schema: resolveRef(param.schema ?? {}) };
        }),
        body:
          contentType === undefined
            ? null
            : {
                contentType,
                schema: deref(content[contentType]?.schema ?? {}, resolveRef),
                required: Boolean(raw.requestBody?.required),
              },
      });
    }
  }
  return operations;
}

function deref(schema: Schema, resolveRef: <T>(v: T & { $ref?: string }) => T, depth = 0): Schema {
  if (depth > 20) return {};
  const s = resolveRef(schema);
  const out: Schema = { ...s };
  if (s.properties)
    out.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, deref(v, resolveRef, depth + 1)]),
    );
  if (s.items) out.items = deref(s.items, resolveRef, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    if (s[key]) out[key] = s[key].map((v) => deref(v, resolveRef, depth + 1));
  return out;
}

/** The operation's path with its parameters filled in (URI-encoded). */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}
