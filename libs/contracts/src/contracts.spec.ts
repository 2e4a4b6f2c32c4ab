// Contract tests: every generated descriptor matches its .avsc, compiles with avsc, and its fixture round-trips.
/* eslint-disable @nx/enforce-module-boundaries -- contract tests drive the codegen and checks in tools/contracts
   (not an Nx project); spec files are not part of the library build, so the library itself imports nothing. */
import * as avro from 'avsc';
import * as fs from 'node:fs';
import * as path from 'node:path';
// nx-ignore-next-line
import { loadContracts } from '../../../tools/contracts/lib/catalogue';
// nx-ignore-next-line
import { FIXTURES_DIR, REPO_ROOT, workingTreeSource } from '../../../tools/contracts/lib/source';
import {
  deadLetterTopicFor,
  eventDescriptors,
  services,
  topicCatalogue,
  topicEvents,
  Topics,
  type TopicKey,
} from './index';

const readJson = (rel: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8')) as unknown;
const parse = (schema: unknown): avro.Type =>
  avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'never' });

describe('contract sources', () => {
  it('load without validation errors', () => {
    const result = loadContracts(workingTreeSource());
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});

describe.each(eventDescriptors.map((d) => [d.type, d] as const))('event %s', (_type, descriptor) => {
  const recordName = descriptor.schema.name;

  it('compiles with avsc as an unwrapped-union record named after its type', () => {
    const type = parse(descriptor.schema);
    expect(type.typeName).toBe('record');
    expect(type.name).toBe(descriptor.type);
  });

  it('is listed on the topic it names, and the topic lists it', () => {
    const topic = topicCatalogue[descriptor.topic];
    expect(topic.kind).toBe('event');
    expect(topic.eventTypes).toContain(descriptor.type);
    expect(topicEvents[descriptor.topic as keyof typeof topicEvents].map((d) => d.type)).toContain(
      descriptor.type,
    );
  });

  it('carries exactly the .avsc schema', () => {
    const [, , service] = descriptor.schema.namespace.split('.');
    const dir = fs
      .readdirSync(path.join(REPO_ROOT, 'schemas/avro'))
      .find((d) => d.replace(/-/g, '') === service);
    expect(dir).toBeDefined();
    expect(descriptor.schema).toEqual(readJson(`schemas/avro/${dir}/${recordName}.avsc`));
  });

  it('has a fixture that is valid and round-trips through the binary encoding', () => {
    const fixtureFile = `${FIXTURES_DIR}/${recordName}.json`;
    expect(fs.existsSync(path.join(REPO_ROOT, fixtureFile))).toBe(true);
    const type = parse(descriptor.schema);
    const fixture = readJson(fixtureFile);
    const invalidPaths: string[] = [];
    type.isValid(fixture, { errorHook: (p: string[]) => void invalidPaths.push(p.join('.') || '(root)') });
    expect(invalidPaths).toEqual([]);
    const decoded: unknown = type.fromBuffer(type.toBuffer(fixture));
    expect(decoded).toEqual(fixture);
  });

  it('decodes its fixture with the schema as both writer and reader (resolver path)', () => {
    const writer = parse(descriptor.schema);
    const reader = parse(descriptor.schema);
    const fixture = readJson(`${FIXTURES_DIR}/${recordName}.json`);
    expect(reader.fromBuffer(writer.toBuffer(fixture), reader.createResolver(writer))).toEqual(fixture);
  });
});

describe('fixtures', () => {
  it('exist only for event records', () => {
    const records = new Set(eventDescriptors.map((d) => `${d.schema.name}.json`));
    const files = fs.readdirSync(path.join(REPO_ROOT, FIXTURES_DIR)).filter((f) => f.endsWith('.json'));
    expect(files.filter((f) => !records.has(f))).toEqual([]);
  });
});

describe('topic catalogue', () => {
  const keys = Object.keys(Topics) as TopicKey[];

  it('names every topic once and describes it under the same key', () => {
    expect(new Set(Object.values(Topics)).size).toBe(keys.length);
    for (const key of keys) {
      expect(topicCatalogue[key].key).toBe(key);
      expect(topicCatalogue[key].name).toBe(Topics[key]);
    }
  });

  it('gives every service a dead-letter topic that it owns', () => {
    for (const service of services) {
      const dlq = topicCatalogue[deadLetterTopicFor[service]];
      expect(dlq.kind).toBe('dead-letter');
      expect(dlq.owner).toBe(service);
      expect(dlq.eventTypes).toEqual([]);
    }
  });

  it('keeps direct personal data only on topics with a retention of at most 7 days', () => {
    for (const key of keys) {
      const t = topicCatalogue[key];
      if (t.personalData !== 'direct') continue;
      expect(t.retentionMs).toBeGreaterThan(0);
      expect(t.retentionMs).toBeLessThanOrEqual(7 * 24 * 60 * 60 * 1000);
    }
  });
});
