// Loads schemas/catalogue.yaml and schemas/avro/** and validates them together. Every tool and the
// contract tests go through loadContracts(), so the rules live in one place.
import { parse as parseYaml } from 'yaml';
import type {
  AvroRecordSchema,
  CleanupPolicy,
  CompatibilityLevel,
  PersonalDataClass,
  TopicDefinition,
  TopicKind,
} from '@divit/contracts/src/event-descriptor';
import {
  asText,
  errorMessage,
  isObject,
  isRecordSchema,
  namedTypesIn,
  namespaceFor,
  parseAvro,
  splitFullName,
  type NamedTypeDefinition,
} from './avro';
import { AVRO_DIR, CATALOGUE_PATH, type SourceReader } from './source';

/** Longest bounded retention allowed for topics with direct personal data: 7 days. */
export const MAX_DIRECT_PERSONAL_DATA_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
];
const KINDS: readonly TopicKind[] = ['event', 'dead-letter'];
const CLEANUP_POLICIES: readonly CleanupPolicy[] = ['delete', 'compact'];
const PERSONAL_DATA: readonly PersonalDataClass[] = ['none', 'pseudonymous', 'direct'];
const PERSONAL_DATA_RANK: Record<PersonalDataClass, number> = { none: 0, pseudonymous: 1, direct: 2 };
const TOPIC_FIELDS = new Set([
  'key',
  'name',
  'kind',
  'owner',
  'description',
  'messageKey',
  'eventTypes',
  'compatibility',
  'retentionMs',
  'partitions',
  'cleanupPolicy',
  'personalData',
  'consumers',
]);

/** One event record loaded from schemas/avro/<service>/<Name>.avsc. */
export interface EventSchema {
  readonly file: string;
  readonly service: string;
  readonly fullName: string;
  readonly name: string;
  readonly schema: AvroRecordSchema;
  /** Catalogue key of the topic that carries this event type. */
  readonly topic: string;
}

export interface Contracts {
  /** Services, sorted. */
  readonly services: readonly string[];
  /** Topics, sorted by key. */
  readonly topics: readonly TopicDefinition[];
  /** Event schemas by Avro full name, sorted by full name. */
  readonly events: ReadonlyMap<string, EventSchema>;
  /** Every named type (records, enums, fixed) by full name; identical wherever it is defined. */
  readonly namedTypes: ReadonlyMap<string, NamedTypeDefinition & { readonly definedIn: readonly string[] }>;
}

export type LoadResult = { ok: true; contracts: Contracts } | { ok: false; errors: string[] };

const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;
const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const TOPIC_NAME = /^[a-z0-9]+(\.[a-z0-9-]+)+\.v[1-9][0-9]*$/;

export function loadContracts(source: SourceReader): LoadResult {
  const errors: string[] = [];
  const err = (where: string, message: string): void => void errors.push(`${where}: ${message}`);

  // ---------------------------------------------------------------- catalogue
  const text = source.readText(CATALOGUE_PATH);
  if (text === undefined) return { ok: false, errors: [`${CATALOGUE_PATH}: missing`] };
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    return { ok: false, errors: [`${CATALOGUE_PATH}: invalid YAML: ${errorMessage(e)}`] };
  }
  if (!isObject(doc))
    return { ok: false, errors: [`${CATALOGUE_PATH}: expected a mapping with services and topics`] };
  for (const k of Object.keys(doc)) {
    if (k !== 'services' && k !== 'topics') err(CATALOGUE_PATH, `unknown top-level field '${k}'`);
  }

  const services: string[] = [];
  if (!Array.isArray(doc.services) || doc.services.length === 0) {
    err(CATALOGUE_PATH, 'services must be a non-empty list');
  } else {
    for (const s of doc.services) {
      if (typeof s !== 'string' || !KEBAB_CASE.test(s))
        err(CATALOGUE_PATH, `service ${JSON.stringify(s)} must be kebab-case`);
      else if (services.includes(s)) err(CATALOGUE_PATH, `service '${s}' is listed twice`);
      else services.push(s);
    }
  }
  const serviceSet = new Set(services);

  const topics: TopicDefinition[] = [];
  const rawTopics: unknown[] = Array.isArray(doc.topics) ? doc.topics : [];
  if (!Array.isArray(doc.topics)) err(CATALOGUE_PATH, 'topics must be a list');
  rawTopics.forEach((raw, index) => {
    const where = `${CATALOGUE_PATH} topics[${index}]${isObject(raw) && typeof raw.key === 'string' ? ` (${raw.key})` : ''}`;
    if (!isObject(raw)) return err(where, 'expected a mapping');
    for (const k of Object.keys(raw)) if (!TOPIC_FIELDS.has(k)) err(where, `unknown field '${k}'`);
    const str = (field: string): string => {
      const v = raw[field];
      if (typeof v !== 'string' || v.trim() === '') {
        err(where, `${field} must be a non-empty string`);
        return '';
      }
      return v.trim();
    };
    const int = (field: string): number => {
      const v = raw[field];
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
        err(where, `${field} must be an integer`);
        return 0;
      }
      return v;
    };
    const oneOf = <T extends string>(field: string, allowed: readonly T[]): T => {
      const v = raw[field];
      if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
        err(where, `${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
        return allowed[0] as T;
      }
      return v as T;
    };
    const list = (field: string, required: boolean): string[] => {
      const v = raw[field];
      if (v === undefined && !required) return [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
        err(where, `${field} must be a list of strings`);
        return [];
      }
      const items = v as string[];
      if (new Set(items).size !== items.length) err(where, `${field} has duplicates`);
      return items;
    };

    const key = str('key');
    const name = str('name');
    const kind = oneOf('kind', KINDS);
    const owner = str('owner');
    const topic: TopicDefinition = {
      key,
      name,
      kind,
      owner,
      description: str('description'),
      messageKey: str('messageKey'),
      eventTypes: kind === 'event' ? list('eventTypes', true) : list('eventTypes', false),
      compatibility: kind === 'event' ? oneOf('compatibility', COMPATIBILITY_LEVELS) : null,
      retentionMs: int('retentionMs'),
      partitions: int('partitions'),
      cleanupPolicy: oneOf('cleanupPolicy', CLEANUP_POLICIES),
      personalData: oneOf('personalData', PERSONAL_DATA),
      consumers: list('consumers', kind === 'event'),
    };

    if (key && !CAMEL_CASE.test(key)) err(where, `key '${key}' must be camelCase ([a-z][a-zA-Z0-9]*)`);
    if (name && !TOPIC_NAME.test(name))
      err(where, `name '${name}' must look like divit.<segments>.v<N> (lower case, digits, '-')`);
    if (name.length > 200)
      err(where, 'name is longer than 200 characters (Kafka allows 249 including the environment prefix)');
    if (owner && !serviceSet.has(owner)) err(where, `owner '${owner}' is not a listed service`);
    for (const c of topic.consumers)
      if (!serviceSet.has(c)) err(where, `consumer '${c}' is not a listed service`);
    if (topic.retentionMs !== -1 && topic.retentionMs < 1)
      err(where, 'retentionMs must be -1 (infinite) or a positive number of milliseconds');
    if (topic.partitions < 1) err(where, 'partitions must be at least 1');

    if (kind === 'event') {
      if (name && owner && !name.startsWith(`divit.${owner}.`))
        err(where, `event topic name must start with 'divit.${owner}.' (its owner)`);
      if (topic.eventTypes.length === 0) err(where, 'an event topic needs at least one event type');
      if (topic.compatibility !== 'FULL_TRANSITIVE')
        err(where, `compatibility must be FULL_TRANSITIVE (got ${String(topic.compatibility)})`);
    } else {
      if (raw.compatibility !== undefined)
        err(where, 'a dead-letter topic has no schemas of its own: remove compatibility');
      if (topic.eventTypes.length > 0)
        err(where, 'a dead-letter topic carries the original bytes: it has no eventTypes');
      if (topic.consumers.length > 0)
        err(
          where,
          'a dead-letter topic is read only by its own service (and the replay tool): consumers must be empty',
        );
      if (name && owner && !new RegExp(`^divit\\.dlq\\.${owner}\\.v[1-9][0-9]*$`).test(name)) {
        err(where, `dead-letter topic name must be divit.dlq.${owner}.v<N>`);
      }
    }

    if (topic.personalData === 'direct') {
      if (topic.retentionMs === -1 || topic.retentionMs > MAX_DIRECT_PERSONAL_DATA_RETENTION_MS) {
        err(
          where,
          `direct personal data needs a bounded retention of at most ${MAX_DIRECT_PERSONAL_DATA_RETENTION_MS} ms (7 days); retentionMs is ${topic.retentionMs}`,
        );
      }
      if (topic.cleanupPolicy !== 'delete')
        err(
          where,
          'direct personal data cannot be on a compacted topic (compaction keeps the latest value forever)',
        );
    }
    topics.push(topic);
  });

  const byKey = new Map<string, TopicDefinition>();
  const byName = new Map<string, TopicDefinition>();
  for (const t of topics) {
    if (t.key && byKey.has(t.key)) err(CATALOGUE_PATH, `topic key '${t.key}' is used twice`);
    if (t.name && byName.has(t.name)) err(CATALOGUE_PATH, `topic name '${t.name}' is used twice`);
    byKey.set(t.key, t);
    byName.set(t.name, t);
  }

  // One dead-letter topic per service, holding at least the personal-data class of everything it consumes.
  for (const service of services) {
    const dlqs = topics.filter((t) => t.kind === 'dead-letter' && t.owner === service);
    if (dlqs.length !== 1) {
      err(
        CATALOGUE_PATH,
        `service '${service}' must have exactly one dead-letter topic (found ${dlqs.length})`,
      );
      continue;
    }
    const dlq = dlqs[0] as TopicDefinition;
    for (const consumed of topics.filter((t) => t.kind === 'event' && t.consumers.includes(service))) {
      if (PERSONAL_DATA_RANK[consumed.personalData] > PERSONAL_DATA_RANK[dlq.personalData]) {
        err(
          CATALOGUE_PATH,
          `dead-letter topic '${dlq.key}' is '${dlq.personalData}' but ${service} consumes '${consumed.key}' with '${consumed.personalData}' personal data`,
        );
      }
    }
  }

  // ---------------------------------------------------------------- event types → topics
  const topicOfEvent = new Map<string, string>();
  for (const t of topics) {
    for (const fullName of t.eventTypes) {
      const where = `${CATALOGUE_PATH} (${t.key})`;
      const other = topicOfEvent.get(fullName);
      if (other !== undefined)
        err(
          where,
          `event type ${fullName} is also listed on '${other}'; an event type belongs to exactly one topic`,
        );
      topicOfEvent.set(fullName, t.key);
      const { namespace, name } = splitFullName(fullName);
      if (namespace !== namespaceFor(t.owner))
        err(where, `event type ${fullName} must be in namespace ${namespaceFor(t.owner)} (the owner's)`);
      else if (source.readText(`${AVRO_DIR}/${t.owner}/${name}.avsc`) === undefined) {
        err(where, `event type ${fullName} has no schema file ${AVRO_DIR}/${t.owner}/${name}.avsc`);
      }
    }
  }

  // ---------------------------------------------------------------- schema files
  const events = new Map<string, EventSchema>();
  const named = new Map<string, NamedTypeDefinition & { definedIn: string[] }>();
  for (const file of source.listFiles(AVRO_DIR)) {
    const m = new RegExp(`^${AVRO_DIR}/([^/]+)/([^/]+)\\.avsc$`).exec(file);
    if (!m) {
      err(file, `unexpected file: schemas must be ${AVRO_DIR}/<service>/<RecordName>.avsc`);
      continue;
    }
    const [, service = '', fileName = ''] = m;
    if (!serviceSet.has(service)) err(file, `directory '${service}' is not a listed service`);
    let schema: unknown;
    try {
      schema = JSON.parse(source.readText(file) ?? '');
    } catch (e) {
      err(file, `invalid JSON: ${errorMessage(e)}`);
      continue;
    }
    if (!isRecordSchema(schema)) {
      err(file, 'the top-level schema must be a record (one record per file)');
      continue;
    }
    const expectedNs = namespaceFor(service);
    if (schema.namespace !== expectedNs)
      err(file, `namespace must be '${expectedNs}' (got ${JSON.stringify(schema.namespace)})`);
    if (schema.name !== fileName)
      err(file, `record name '${schema.name}' must equal the file name '${fileName}'`);
    try {
      parseAvro(schema);
    } catch (e) {
      err(file, `avsc rejects the schema: ${errorMessage(e)}`);
      continue;
    }
    const fullName = `${expectedNs}.${schema.name}`;
    const topic = topicOfEvent.get(fullName);
    if (topic === undefined)
      err(file, `${fullName} is not listed as an event type of any topic in ${CATALOGUE_PATH}`);
    for (const def of namedTypesIn(schema)) {
      if (typeof def.schema.doc !== 'string' || def.schema.doc.trim() === '')
        err(file, `${def.kind} ${def.fullName} needs a doc`);
      if (def.kind === 'record') {
        for (const field of def.schema.fields as readonly unknown[]) {
          if (isObject(field) && (typeof field.doc !== 'string' || field.doc.trim() === '')) {
            err(file, `field ${def.fullName}.${asText(field.name)} needs a doc`);
          }
        }
      }
      const seen = named.get(def.fullName);
      if (!seen) named.set(def.fullName, { ...def, definedIn: [file] });
      else if (JSON.stringify(seen.schema) !== JSON.stringify(def.schema)) {
        err(
          file,
          `${def.fullName} differs from its definition in ${seen.definedIn[0]}; a named type must be identical everywhere`,
        );
      } else seen.definedIn.push(file);
    }
    if (topic !== undefined)
      events.set(fullName, { file, service, fullName, name: schema.name, schema, topic });
  }

  // TypeScript identifiers come from the short names: they must not collide across namespaces.
  const shortNames = new Map<string, string>();
  for (const fullName of [...named.keys()].sort()) {
    const short = splitFullName(fullName).name;
    const other = shortNames.get(short);
    if (other !== undefined)
      err(
        AVRO_DIR,
        `named types ${other} and ${fullName} share the short name '${short}' (TypeScript names must be unique)`,
      );
    shortNames.set(short, fullName);
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    contracts: {
      services: [...services].sort(),
      topics: [...topics].sort((a, b) => compare(a.key, b.key)),
      events: new Map([...events.entries()].sort(([a], [b]) => compare(a, b))),
      namedTypes: new Map([...named.entries()].sort(([a], [b]) => compare(a, b))),
    },
  };
}

/** Code-unit order (locale-independent, so output is identical on every machine). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** For command-line tools: load or print every problem and exit 1. */
export function loadContractsOrExit(source: SourceReader): Contracts {
  const result = loadContracts(source);
  if (!result.ok) {
    console.error(`Contract sources are invalid (${result.errors.length} problem(s)):`);
    for (const e of result.errors) console.error(`  - ${e}`);
    process.exit(1);
  }
  return result.contracts;
}
