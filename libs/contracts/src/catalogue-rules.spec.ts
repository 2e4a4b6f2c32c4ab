// The codegen's validation rules, exercised on the real sources with one deliberate mistake each.
/* eslint-disable @nx/enforce-module-boundaries -- contract tests drive the codegen and checks in tools/contracts
   (not an Nx project); spec files are not part of the library build, so the library itself imports nothing. */
// nx-ignore-next-line
import { loadContracts, MAX_DIRECT_PERSONAL_DATA_RETENTION_MS } from '../../../tools/contracts/lib/catalogue';
// nx-ignore-next-line
import { namespaceFor } from '../../../tools/contracts/lib/avro';
// nx-ignore-next-line
import { CATALOGUE_PATH, workingTreeSource, type SourceReader } from '../../../tools/contracts/lib/source';

const REGISTERED = 'schemas/avro/registration/OrganisationRegistered.avsc';
const real = workingTreeSource();

/** The working tree with some files replaced (undefined = deleted). */
function withFiles(overrides: Record<string, string | undefined>): SourceReader {
  return {
    label: 'test',
    readText: (p) => (p in overrides ? overrides[p] : real.readText(p)),
    listFiles: (dir) => {
      const files = new Set(real.listFiles(dir));
      for (const [p, text] of Object.entries(overrides)) {
        if (!p.startsWith(`${dir}/`)) continue;
        if (text === undefined) files.delete(p);
        else files.add(p);
      }
      return [...files].sort();
    },
  };
}

const catalogue = real.readText(CATALOGUE_PATH) ?? '';
const schema = JSON.parse(real.readText(REGISTERED) ?? '{}') as {
  fields: { name: string; doc?: string }[];
  doc?: string;
  namespace?: string;
};
const errorsOf = (source: SourceReader): string[] => {
  const result = loadContracts(source);
  return result.ok ? [] : result.errors;
};
const replaceOnce = (text: string, from: string, to: string): string => {
  if (!text.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return text.replace(from, to);
};

describe('catalogue and schema validation', () => {
  it('accepts the committed sources', () => {
    expect(errorsOf(real)).toEqual([]);
  });

  it('maps service names to namespaces without dashes', () => {
    expect(namespaceFor('identity-validation')).toBe('nl.divit.identityvalidation');
  });

  it('rejects direct personal data with infinite retention', () => {
    const text = replaceOnce(catalogue, 'personalData: none', 'personalData: direct');
    expect(errorsOf(withFiles({ [CATALOGUE_PATH]: text })).join('\n')).toMatch(
      /direct personal data needs a bounded retention/,
    );
  });

  it('rejects direct personal data kept longer than 7 days', () => {
    const text = replaceOnce(
      catalogue,
      'retentionMs: 604800000\n    partitions: 1\n    cleanupPolicy: delete\n    personalData: direct',
      `retentionMs: ${MAX_DIRECT_PERSONAL_DATA_RETENTION_MS + 1}\n    partitions: 1\n    cleanupPolicy: delete\n    personalData: direct`,
    );
    expect(errorsOf(withFiles({ [CATALOGUE_PATH]: text })).join('\n')).toMatch(/at most 604800000 ms/);
  });

  it('rejects a dead-letter topic with a lower personal-data class than what its service consumes', () => {
    const text = replaceOnce(catalogue, 'personalData: none', 'personalData: pseudonymous').replace(
      /(key: dlqConsent[\s\S]*?personalData: )pseudonymous/,
      '$1none',
    );
    expect(errorsOf(withFiles({ [CATALOGUE_PATH]: text })).join('\n')).toMatch(
      /dead-letter topic 'dlqConsent' is 'none' but consent consumes/,
    );
  });

  it('rejects an event type without a schema file', () => {
    expect(errorsOf(withFiles({ [REGISTERED]: undefined })).join('\n')).toMatch(/has no schema file/);
  });

  it('rejects a schema file no topic lists', () => {
    const orphan = JSON.stringify({ ...schema, name: 'Orphan' });
    expect(errorsOf(withFiles({ 'schemas/avro/registration/Orphan.avsc': orphan })).join('\n')).toMatch(
      /is not listed as an event type/,
    );
  });

  it('rejects a field without a doc', () => {
    const broken = {
      ...schema,
      fields: schema.fields.map((f, i) => (i === 0 ? { ...f, doc: undefined } : f)),
    };
    expect(errorsOf(withFiles({ [REGISTERED]: JSON.stringify(broken) })).join('\n')).toMatch(
      /field nl\.divit\.registration\.OrganisationRegistered\.organisationId needs a doc/,
    );
  });

  it('rejects a schema in the wrong namespace', () => {
    expect(
      errorsOf(withFiles({ [REGISTERED]: JSON.stringify({ ...schema, namespace: 'nl.divit.other' }) })).join(
        '\n',
      ),
    ).toMatch(/namespace must be 'nl\.divit\.registration'/);
  });

  it('rejects a schema avsc cannot compile', () => {
    const broken = { ...schema, fields: [...schema.fields, { name: 'bad', type: 'nosuchtype', doc: 'x' }] };
    expect(errorsOf(withFiles({ [REGISTERED]: JSON.stringify(broken) })).join('\n')).toMatch(
      /avsc rejects the schema/,
    );
  });

  it('rejects a duplicate topic key and unknown fields', () => {
    const text = replaceOnce(catalogue, 'key: dlqConsent', 'key: dlqRegistration\n    partition: 3');
    const errors = errorsOf(withFiles({ [CATALOGUE_PATH]: text })).join('\n');
    expect(errors).toMatch(/topic key 'dlqRegistration' is used twice/);
    expect(errors).toMatch(/unknown field 'partition'/);
  });
});
