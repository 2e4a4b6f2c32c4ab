// FULL compatibility (both directions) as the deploy check applies it, and the working tree against git main.
/* eslint-disable @nx/enforce-module-boundaries -- contract tests drive the codegen and checks in tools/contracts
   (not an Nx project); spec files are not part of the library build, so the library itself imports nothing. */
import type { AvroSchema } from './event-descriptor';
// nx-ignore-next-line
import { fullCompatibilityProblems } from '../../../tools/contracts/lib/avro';
// nx-ignore-next-line
import { loadContracts } from '../../../tools/contracts/lib/catalogue';
// nx-ignore-next-line
import { evolutionFrom } from '../../../tools/contracts/lib/evolution';
// nx-ignore-next-line
import { gitSource, resolveGitRef, workingTreeSource } from '../../../tools/contracts/lib/source';

const record = (fields: readonly object[], extra: object = {}): AvroSchema =>
  ({
    type: 'record',
    name: 'Sample',
    namespace: 'nl.divit.test',
    doc: 'test',
    fields,
    ...extra,
  }) as unknown as AvroSchema;
const id = { name: 'id', type: 'string', doc: 'id' };
const directions = (next: AvroSchema, prev: AvroSchema): string[] =>
  fullCompatibilityProblems(next, prev).map((p) => p.direction);

describe('fullCompatibilityProblems', () => {
  it('accepts an identical schema', () => {
    expect(directions(record([id]), record([id]))).toEqual([]);
  });

  it('accepts adding an optional field with a default', () => {
    expect(
      directions(
        record([id, { name: 'note', type: ['null', 'string'], default: null, doc: 'n' }]),
        record([id]),
      ),
    ).toEqual([]);
  });

  it('rejects adding a field without a default (new readers cannot read old data)', () => {
    expect(directions(record([id, { name: 'count', type: 'int', doc: 'c' }]), record([id]))).toEqual([
      'backward',
    ]);
  });

  it('rejects removing a field without a default (old readers cannot read new data)', () => {
    expect(directions(record([]), record([id]))).toEqual(['forward']);
  });

  it('rejects widening int to long in FULL mode (old int readers cannot read longs)', () => {
    expect(
      directions(
        record([{ name: 'n', type: 'long', doc: 'n' }]),
        record([{ name: 'n', type: 'int', doc: 'n' }]),
      ),
    ).toEqual(['forward']);
  });

  it('rejects adding an enum symbol when the old enum has no default', () => {
    const e = (symbols: string[]): object => ({
      name: 'r',
      doc: 'r',
      type: { type: 'enum', name: 'R', doc: 'r', symbols },
    });
    expect(directions(record([e(['A', 'B', 'C'])]), record([e(['A', 'B'])]))).toEqual(['forward']);
  });

  it('accepts a field rename carried by an alias only in the backward direction', () => {
    const renamed = record([{ name: 'identifier', aliases: ['id'], type: 'string', doc: 'id' }]);
    expect(directions(renamed, record([id]))).toEqual(['forward']);
  });

  it('rejects renaming the record', () => {
    expect(directions(record([id], { name: 'Other' }), record([id]))).toEqual(['backward', 'forward']);
  });
});

describe('working tree against git main', () => {
  // CI compares with the branch it merges into; a checkout without that ref (e.g. a detached clone)
  // compares with HEAD, which still catches breaking uncommitted schema edits. Never skipped.
  const wanted = process.env.CONTRACTS_BASE_REF ?? 'main';
  const baseRef = resolveGitRef(wanted) !== undefined ? wanted : 'HEAD';

  it(`has no breaking schema or topic changes against the base ref (${wanted}, else HEAD)`, () => {
    expect(resolveGitRef(baseRef)).toBeDefined();
    const current = loadContracts(workingTreeSource());
    if (!current.ok) throw new Error(current.errors.join('\n'));
    const report = evolutionFrom(current.contracts, gitSource(baseRef));
    expect(report.problems).toEqual([]);
  });
});
