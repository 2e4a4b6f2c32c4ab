import fc from 'fast-check';
import type { Schema } from './openapi';

/**
 * A plausible value for a schema: the named value when the property or parameter has one (the fixture's ids of
 * tenant A), else the schema's example-free minimum: const, default, first enum value, a date, a uuid, a number
 * inside its bounds, the required properties of an object.
 */
export function plausible(schema: Schema, named: Record<string, unknown>, name?: string, depth = 0): unknown {
  if (name !== undefined && name in named) return named[name];
  if (depth > 8) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined && !Array.isArray(schema.default)) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) {
    const nonNull = variants.find((v) => v.type !== 'null') ?? variants[0]!;
    return plausible(nonNull, named, name, depth + 1);
  }
  if (schema.allOf?.length)
    return plausible(Object.assign({}, ...schema.allOf) as Schema, named, name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {}))
        if ((schema.required ?? []).includes(key) || key in named)
          out[key] = plausible(sub, named, key, depth + 1);
      return out;
    }
    case 'array': {
      const n = Math.max(1, schema.minItems ?? 0);
      return Array.from({ length: n }, () => plausible(schema.items ?? {}, named, undefined, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 1;
      return Math.max(min, Math.min(schema.maximum ?? min, min));
    }
    case 'boolean':
      return false;
    case 'string':
      return plausibleString(schema);
    default:
      return null;
  }
}

function plausibleString(schema: Schema): string {
  if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  if (schema.format === 'date') return '2025-03-01';
  if (schema.format === 'date-time') return '2025-03-01T10:00:00Z';
  if (schema.format === 'email') return 'someone@example.org';
  const min = schema.minLength ?? 1;
  return 'Abc'.repeat(Math.ceil(min / 3)).slice(0, Math.max(min, 3));
}

/** One hostile request input: a label naming its class, and what is sent. */
export interface BadInput {
  label: string;
  /** The body exactly as sent (undefined: no body). */
  body: string | undefined;
  contentType: string | undefined;
}

const TWO_53 = 2 ** 53;
/** Strings that have broken parsers, validators, column types or log lines somewhere. */
export const HOSTILE_STRINGS: readonly [string, string][] = [
  ['empty string', ''],
  ['blank', '   '],
  ['NUL byte', 'a\u0000b'],
  ['only NUL', '\u0000'],
  ['control characters', 'x\u0001\u0007\u001b[31m\u007f\u0085y'],
  ['line breaks', 'a\r\nb\nc'],
  ['lone surrogate', 'a\ud800b'],
  ['emoji', '🏠👪'],
  ['date 0000-01-01', '0000-01-01'],
  ['date 9999-12-31', '9999-12-31'],
  ['date 2025-02-30', '2025-02-30'],
  ['date-time year 0', '0000-01-01T00:00:00Z'],
  ['date-time year 9999', '9999-12-31T23:59:59Z'],
  ['extended year', '+275760-09-13'],
  ['negative year', '-000001-01-01'],
  ['NaN string', 'NaN'],
  ['Infinity string', 'Infinity'],
  ['overflow number string', '1e309'],
  ['2^53+1 as string', '9007199254740993'],
  ['-2^53-1 as string', '-9007199254740993'],
  ['SQL', "'; DROP TABLE x; --"],
  ['path traversal', '../../../../etc/passwd'],
  ['percent NUL', '%00'],
  ['prototype key', '__proto__'],
  ['uuid nil', '00000000-0000-0000-0000-000000000000'],
  ['uuid max', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
];

const HOSTILE_NUMBERS: readonly [string, unknown][] = [
  ['2^53', TWO_53],
  ['-2^53', -TWO_53],
  ['2^53+2', TWO_53 + 2],
  ['1e308', 1e308],
  ['-1e308', -1e308],
  ['negative zero', -0],
  ['fraction', 0.5],
  ['minus one', -1],
  ['zero', 0],
  ['2^31', 2 ** 31],
];

const WRONG_TYPES: readonly [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['number', 42],
  ['string', 'x'],
  ['array', ['x']],
  ['object', { a: 1 }],
  ['empty array', []],
  ['empty object', {}],
];

type Json = unknown;
type PathStep = string | number;

/** Every location in a JSON value (the root first), for mutating one of them. */
function locations(value: Json, prefix: PathStep[] = [], out: PathStep[][] = []): PathStep[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => locations(v, [...prefix, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) locations(v, [...prefix, k], out);
  return out;
}

function setAt(value: Json, path: PathStep[], replacement: unknown): Json {
  if (path.length === 0) return replacement === REMOVE ? undefined : replacement;
  const clone = structuredClone(value) as Record<PathStep, Json>;
  let node = clone;
  for (const step of path.slice(0, -1)) node = node[step] as Record<PathStep, Json>;
  const last = path[path.length - 1]!;
  if (replacement === REMOVE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return clone;
}
const REMOVE = Symbol('remove');

/** JSON text nested `depth` levels deep (built as text: JSON.stringify itself overflows on deep values). */
const nestedText = (depth: number): string => '[{"a":'.repeat(depth) + '1' + '}]'.repeat(depth);
const NESTED = (depth: number) => `\u0000nested:${depth}\u0000`;

/** The longest maxLength the schema declares anywhere (for strings at and beyond the limit). */
function stringLimits(schema: Schema, out: Map<string, number> = new Map(), name = ''): Map<string, number> {
  if (schema.maxLength !== undefined) out.set(name, schema.maxLength);
  for (const [k, v] of Object.entries(schema.properties ?? {})) stringLimits(v, out, k);
  if (schema.items) stringLimits(schema.items, out, name);
  for (const v of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    stringLimits(v, out, name);
  return out;
}

/** Property names whose schema is a date or date-time (anywhere in the body). */
function dateFields(schema: Schema, out: Set<string> = new Set(), name = ''): Set<string> {
  if (schema.format === 'date' || schema.format === 'date-time') out.add(name);
  for (const [k, v] of Object.entries(schema.properties ?? {})) dateFields(v, out, k);
  if (schema.items) dateFields(schema.items, out, name);
  for (const v of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    dateFields(v, out, name);
  return out;
}

const json = (label: string, value: Json): BadInput => ({
  label,
  body:
    value === undefined
      ? undefined
      : JSON.stringify(value).replace(/"\\u0000nested:(\d+)\\u0000"/g, (_, d: string) =>
          nestedText(Number(d)),
        ),
  contentType: 'application/json',
});

/**
 * Hostile bodies for a write operation: `n` seeded fast-check samples of mutations of a valid body (missing and
 * extra fields, wrong types, hostile strings and numbers, strings at and beyond their limits, deep nesting), then
 * fixed cases every write gets (each date field at 0000-01-01 and 9999-12-31, a NUL byte in each text field, a
 * body over 100 KB, an empty body, malformed JSON, non-JSON content types, a non-object root).
 * The same seed gives the same inputs.
 */
export function badBodies(
  schema: Schema,
  valid: Json,
  options: { seed: number; n: number; contentType?: string },
): BadInput[] {
  if (options.contentType && !options.contentType.includes('json'))
    return badText(typeof valid === 'string' ? valid : '', options);
  const base = valid && typeof valid === 'object' ? valid : {};
  const where = locations(base);
  const limits = stringLimits(schema);
  const maxLimit = Math.max(0, ...limits.values());
  const at = fc.constantFrom(...where);
  const withValue = (label: string, value: fc.Arbitrary<[string, Json]>) =>
    fc
      .tuple(at, value)
      .map(([path, [name, v]]) => json(`${label} ${name} at /${path.join('/')}`, setAt(base, path, v)));
  const fields = where.filter((p) => p.length > 0);
  const missing = fields.length
    ? [
        fc
          .constantFrom(...fields)
          .map((path) => json(`missing /${path.join('/')}`, setAt(base, path, REMOVE))),
      ]
    : [];
  const mutation = fc.oneof(
    ...missing,
    fc
      .tuple(
        fc.constantFrom('unexpected', 'id', 'organisationId', '__proto__', 'constructor'),
        fc.constantFrom(...WRONG_TYPES),
      )
      .map(([key, [name, v]]) =>
        json(`extra field ${key} (${name})`, { ...(base as Record<string, Json>), [key]: v }),
      ),
    withValue('wrong type', fc.constantFrom(...WRONG_TYPES)),
    withValue('hostile string', fc.constantFrom(...HOSTILE_STRINGS)),
    withValue('hostile number', fc.constantFrom(...HOSTILE_NUMBERS)),
    withValue(
      'long string',
      fc.constantFrom<[string, Json]>(
        [`at limit ${maxLimit}`, 'x'.repeat(maxLimit)],
        [`beyond limit ${maxLimit + 1}`, 'x'.repeat(maxLimit + 1)],
        ['of 10000', 'é'.repeat(10_000)],
        ['of 90 KB', 'x'.repeat(90_000)],
      ),
    ),
    withValue(
      'deep nesting',
      fc.constantFrom<[string, Json]>(['depth 200', NESTED(100)], ['depth 10000', NESTED(5000)]),
    ),
  );
  const sampled = fc.sample(mutation, { seed: options.seed, numRuns: options.n });
  const fixed: BadInput[] = [
    json('valid body', base),
    { label: 'empty body', body: undefined, contentType: 'application/json' },
    { label: 'empty string body', body: '', contentType: 'application/json' },
    { label: 'malformed JSON', body: '{"a":', contentType: 'application/json' },
    { label: 'JSON null', body: 'null', contentType: 'application/json' },
    json('array root', [base]),
    json('string root', 'x'),
    json('body over 100 KB', { ...(base as Record<string, Json>), pad: 'x'.repeat(150_000) }),
    { label: 'nested 20000 deep', body: nestedText(10_000), contentType: 'application/json' },
    { label: 'text/plain content type', body: JSON.stringify(base), contentType: 'text/plain' },
    { label: 'form content type', body: 'a=1&b=%00', contentType: 'application/x-www-form-urlencoded' },
    { label: 'no content type', body: JSON.stringify(base), contentType: undefined },
    {
      label: 'JSON with NUL escapes everywhere',
      body: JSON.stringify(base).replace(/"([^"]*)"/g, '"$1\\u0000"'),
      contentType: 'application/json',
    },
  ];
  for (const path of where) {
    const key = path[path.length - 1];
    if (typeof key === 'string' && dateFields(schema).has(key)) {
      fixed.push(json(`date 0000-01-01 at /${path.join('/')}`, setAt(base, path, '0000-01-01')));
      fixed.push(json(`date 9999-12-31 at /${path.join('/')}`, setAt(base, path, '9999-12-31')));
    }
    if (path.length > 0 && typeof valueAt(base, path) === 'string')
      fixed.push(
        json(`NUL byte at /${path.join('/')}`, setAt(base, path, `${String(valueAt(base, path))}\u0000`)),
      );
    if (typeof key === 'string' && limits.has(key)) {
      const limit = limits.get(key)!;
      fixed.push(
        json(
          `string of ${limit + 1} (limit ${limit}) at /${path.join('/')}`,
          setAt(base, path, 'x'.repeat(limit + 1)),
        ),
      );
    }
  }
  return [...sampled, ...fixed];
}

function valueAt(value: Json, path: PathStep[]): Json {
  return path.reduce<Json>((node, step) => (node as Record<PathStep, Json>)[step], value);
}

/** Hostile text bodies (CSV uploads): NUL bytes, control characters, huge and unterminated content. */
function badText(valid: string, options: { seed: number; n: number; contentType?: string }): BadInput[] {
  const type = options.contentType ?? 'text/plain';
  const lines = valid.split('\n');
  const header = lines[0] ?? '';
  const row = lines[1] ?? '';
  const text = (
    label: string,
    body: string | undefined,
    contentType: string | undefined = type,
  ): BadInput => ({
    label,
    body,
    contentType,
  });
  const arb = fc
    .tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.nat({ max: Math.max(0, row.split(',').length - 1) }))
    .map(([[name, s], column]) => {
      const cells = row.split(',');
      cells[column] = s.replace(/[\r\n]/g, ' ');
      return text(`CSV cell ${column} ${name}`, `${header}\n${cells.join(',')}`);
    });
  return [
    ...fc.sample(arb, { seed: options.seed, numRuns: options.n }),
    text('valid file', valid),
    text('empty file', ''),
    text('no body', undefined),
    text('header only', header),
    text('NUL bytes', `${header}\n${row.replace(/,/g, ',\u0000')}`),
    text('binary', Buffer.from([0, 255, 254, 1, 2, 3, 0, 0]).toString('latin1')),
    text('unterminated quote', `${header}\n"abc,${row}`),
    text('line of 200 KB', `${header}\n${'x'.repeat(200_000)}`),
    text('200 KB of rows', `${header}\n${`${row}\n`.repeat(Math.ceil(200_000 / (row.length + 1)))}`),
    text('JSON content type', JSON.stringify({ a: 1 }), 'application/json'),
    text('no content type', valid, undefined),
  ];
}

/** Hostile values for one query parameter (the string pool, plus seeded samples of arbitrary strings). */
export function badQueryValues(seed: number, n: number): [string, string][] {
  const random = fc.sample(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 300 })),
    { seed, numRuns: n },
  );
  return [
    ...HOSTILE_STRINGS,
    ['string of 10000', 'x'.repeat(10_000)],
    ['2^53', String(TWO_53)],
    ...random.map((s, i): [string, string] => [`random string ${i}`, s]),
  ];
}

/** A stable 31-bit seed per operation, so one operation's inputs do not move when another is added. */
export function seedFor(base: number, operationId: string): number {
  let h = base | 0;
  for (const ch of operationId) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h & 0x7fffffff;
}
