// Drift: the committed generated files (libs/contracts/src/generated, docs/asyncapi.yaml) are exactly
// what the codegen produces from schemas/. Fix with `npm run contracts:generate`.
/* eslint-disable @nx/enforce-module-boundaries -- contract tests drive the codegen and checks in tools/contracts
   (not an Nx project); spec files are not part of the library build, so the library itself imports nothing. */
// nx-ignore-next-line
import { driftOf } from '../../../tools/contracts/lib/drift';
// nx-ignore-next-line
import { loadContracts } from '../../../tools/contracts/lib/catalogue';
// nx-ignore-next-line
import { generateAll, GENERATED_HEADER } from '../../../tools/contracts/lib/generate';
// nx-ignore-next-line
import { workingTreeSource } from '../../../tools/contracts/lib/source';

describe('codegen', () => {
  const result = loadContracts(workingTreeSource());
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const files = generateAll(result.contracts);

  it('output equals the committed files', () => {
    expect(driftOf(files)).toEqual({ changed: [], missing: [], stale: [] });
  });

  it('is deterministic', () => {
    expect([...generateAll(result.contracts)]).toEqual([...files]);
  });

  it('marks every generated file as generated', () => {
    for (const content of files.values()) expect(content.split('\n')[0]).toContain(GENERATED_HEADER);
  });

  it('documents every topic and event type in the AsyncAPI document', () => {
    const asyncapi = files.get('docs/asyncapi.yaml') ?? '';
    for (const topic of result.contracts.topics) expect(asyncapi).toContain(`address: ${topic.name}`);
    for (const fullName of result.contracts.events.keys()) expect(asyncapi).toContain(`name: ${fullName}`);
    expect(asyncapi).toContain('schemaFormat: application/vnd.apache.avro+json;version=1.9.0');
  });
});
