// Avro helpers: namespace rule, parsing with avsc, walking named types, and the full-compatibility check.
import * as avro from 'avsc';
import type { AvroRecordSchema, AvroSchema, JsonValue } from '@divit/contracts/src/event-descriptor';

/** Options every tool parses schemas with; `wrapUnions: 'never'` proves unions map to plain TS unions. */
export const PARSE_OPTIONS: Readonly<Partial<avro.ForSchemaOptions>> = { wrapUnions: 'never' };

/**
 * Namespace rule: `nl.divit.<service name without dashes>`, e.g. identity-validation → nl.divit.identityvalidation.
 * (Avro name segments cannot contain `-`, and turning dashes into dots would invent a hierarchy that is not there.)
 */
export function namespaceFor(service: string): string {
  return `nl.divit.${service.replace(/-/g, '')}`;
}

export function splitFullName(fullName: string): { namespace: string; name: string } {
  const i = fullName.lastIndexOf('.');
  return i < 0
    ? { namespace: '', name: fullName }
    : { namespace: fullName.slice(0, i), name: fullName.slice(i + 1) };
}

export const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export type JsonObject = { readonly [key: string]: JsonValue | AvroSchema | undefined };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A named type (record, error, enum, fixed) found while walking a schema, with its resolved full name. */
export interface NamedTypeDefinition {
  readonly fullName: string;
  readonly kind: 'record' | 'enum' | 'fixed';
  readonly schema: JsonObject;
  /** Namespace in force inside this type (for resolving names of its fields' types). */
  readonly namespace: string;
}

export function fullNameOf(name: string, enclosingNamespace: string, explicitNamespace?: unknown): string {
  if (name.includes('.')) return name;
  const ns = typeof explicitNamespace === 'string' ? explicitNamespace : enclosingNamespace;
  return ns ? `${ns}.${name}` : name;
}

/** All named types defined inline in a schema, in definition order (depth first). */
export function namedTypesIn(schema: AvroSchema, enclosingNamespace = ''): NamedTypeDefinition[] {
  const out: NamedTypeDefinition[] = [];
  const visit = (s: unknown, ns: string): void => {
    if (Array.isArray(s)) {
      for (const branch of s) visit(branch, ns);
      return;
    }
    if (!isObject(s)) return;
    const type = s.type;
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const fullName = fullNameOf(asText(s.name), ns, s.namespace);
      const innerNs = splitFullName(fullName).namespace;
      out.push({ fullName, kind: type === 'error' ? 'record' : type, schema: s, namespace: innerNs });
      if (type === 'record' || type === 'error') {
        const fields = Array.isArray(s.fields) ? s.fields : [];
        for (const field of fields) if (isObject(field)) visit(field.type, innerNs);
      }
      return;
    }
    if (type === 'array') visit(s.items, ns);
    else if (type === 'map') visit(s.values, ns);
    else if (typeof type === 'object') visit(type, ns);
  };
  visit(schema, enclosingNamespace);
  return out;
}

/**
 * Parse with avsc the way every tool does; throws avsc's error message on an invalid schema.
 * The options object is copied: avsc stores its type registry in it, so reusing one object across
 * schemas makes the second definition of a shared named type fail with "duplicate type name".
 */
export function parseAvro(
  schema: AvroSchema,
  options: Partial<avro.ForSchemaOptions> = PARSE_OPTIONS,
): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { ...options });
}

export interface CompatibilityProblem {
  /** backward: the new schema cannot read data written with the old one; forward: the old one cannot read the new. */
  readonly direction: 'backward' | 'forward';
  readonly message: string;
}

/**
 * FULL compatibility between two versions of one record, checked with avsc schema resolution in both
 * directions: the new schema as reader of the old writer (backward) and the old as reader of the new (forward).
 * Apply it against every earlier version for FULL_TRANSITIVE.
 */
export function fullCompatibilityProblems(
  newSchema: AvroSchema,
  oldSchema: AvroSchema,
): CompatibilityProblem[] {
  const problems: CompatibilityProblem[] = [];
  let newType: avro.Type;
  let oldType: avro.Type;
  try {
    newType = avro.Type.forSchema(newSchema as avro.Schema);
    oldType = avro.Type.forSchema(oldSchema as avro.Schema);
  } catch (err) {
    return [{ direction: 'backward', message: `schema does not parse: ${errorMessage(err)}` }];
  }
  try {
    newType.createResolver(oldType);
  } catch (err) {
    problems.push({ direction: 'backward', message: errorMessage(err) });
  }
  try {
    oldType.createResolver(newType);
  } catch (err) {
    problems.push({ direction: 'forward', message: errorMessage(err) });
  }
  return problems;
}

/** A schema attribute as text for names and messages (JSON for anything that is not a string). */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isRecordSchema(value: unknown): value is AvroRecordSchema {
  return (
    isObject(value) &&
    value.type === 'record' &&
    typeof value.name === 'string' &&
    Array.isArray(value.fields)
  );
}
