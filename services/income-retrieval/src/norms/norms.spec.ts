import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_NORMS_DIR,
  leaseStartProblem,
  loadNormCatalogue,
  mergeNormSets,
  NormSet,
  normSetSchema,
  NormsInvalidError,
  sameNormSet,
} from './norms';

const shipped = (year: number): Record<string, unknown> =>
  JSON.parse(readFileSync(join(DEFAULT_NORMS_DIR, `${year}.json`), 'utf8')) as Record<string, unknown>;

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'norms-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(body));
  return dir;
}

describe('norm catalogue', () => {
  it('loads the shipped years 2024–2026 and picks by lease start date', () => {
    const c = loadNormCatalogue(DEFAULT_NORMS_DIR);
    expect(c.all().map((n) => n.leaseYear)).toEqual(expect.arrayContaining([2024, 2025, 2026]));
    expect(c.forLeaseStart('2025-12-31')?.version).toBe('2025-01-01');
    expect(c.forLeaseStart('2026-01-01')?.version).toBe('2026-01-01');
    expect(c.forLeaseStart('2019-05-01')).toBeUndefined();
  });

  it('marks every assumption in the data', () => {
    const c = loadNormCatalogue(DEFAULT_NORMS_DIR);
    for (const n of c.all()) expect(n.assumptions.every((a) => a.note.startsWith('[assumption]'))).toBe(true);
  });

  it('adds a year as data: a new file is picked up without code', () => {
    const next = {
      ...shipped(2026),
      version: '2027-01-01',
      leaseYear: 2027,
      validFrom: '2027-01-01',
      indexationFactors: { '2026': '1.01', '2025': '1.02' },
    };
    const c = loadNormCatalogue(dirWith({ '2026.json': shipped(2026), '2027.json': next }));
    expect(c.forLeaseStart('2027-03-01')?.version).toBe('2027-01-01');
  });

  it('rejects an invalid file naming the file and field', () => {
    const bad = { ...shipped(2025), daebLimitCents: { onePerson: 49669.5, multiPerson: 5484700 } };
    expect(() => loadNormCatalogue(dirWith({ '2025.json': bad }))).toThrow(NormsInvalidError);
    expect(() => loadNormCatalogue(dirWith({ '2025.json': bad }))).toThrow(
      /2025\.json: daebLimitCents\.onePerson/,
    );
  });

  it('requires factors for t-1 and t-2 and a matching file name', () => {
    const noT2 = { ...shipped(2025), indexationFactors: { '2024': '1.04' } };
    expect(() => loadNormCatalogue(dirWith({ '2025.json': noT2 }))).toThrow(/indexationFactors\.2023/);
    expect(() => loadNormCatalogue(dirWith({ 'x.json': shipped(2025) }))).toThrow(/must be 2025\.json/);
  });

  it('rejects unknown fields and an empty directory', () => {
    expect(() => loadNormCatalogue(dirWith({ '2025.json': { ...shipped(2025), extra: 1 } }))).toThrow(
      NormsInvalidError,
    );
    expect(() => loadNormCatalogue(dirWith({}))).toThrow(/no norm files/);
  });

  it('refuses values no norm can have: limits beyond 10 million euro, huge factors, non-existent dates, control characters', () => {
    const ok = shipped(2025);
    expect(normSetSchema.safeParse(ok).success).toBe(true);
    const bad = (patch: Record<string, unknown>) => normSetSchema.safeParse({ ...ok, ...patch }).success;
    expect(bad({ daebLimitCents: { onePerson: 1e308, multiPerson: 5484700 } })).toBe(false);
    expect(bad({ daebLimitCents: { onePerson: 1_000_000_001, multiPerson: 5484700 } })).toBe(false);
    expect(bad({ indexationFactors: { '2024': '123.04', '2023': '1.1' } })).toBe(false);
    expect(bad({ validFrom: '2025-02-30' })).toBe(false);
    expect(bad({ version: '2025\u0000' })).toBe(false);
    expect(bad({ sources: ['a\u0000b'] })).toBe(false);
    expect(bad({ assumptions: [{ field: 'x', note: 'y'.repeat(2001) }] })).toBe(false);
  });
});

const set = (year: number, patch: Partial<NormSet> = {}): NormSet =>
  normSetSchema.parse({
    ...shipped(2026),
    version: `${year}-01-01`,
    leaseYear: year,
    validFrom: `${year}-01-01`,
    indexationFactors: { [String(year - 1)]: '1.01', [String(year - 2)]: '1.02' },
    ...patch,
  });

describe('norms in force: shipped files plus published sets', () => {
  const files = loadNormCatalogue(DEFAULT_NORMS_DIR).all();

  it('adds a published year to the files', () => {
    const { catalogue, overridden } = mergeNormSets(files, [set(2027)]);
    expect(catalogue.years()).toEqual([2024, 2025, 2026, 2027]);
    expect(catalogue.forLeaseStart('2027-03-01')?.version).toBe('2027-01-01');
    expect(catalogue.forLeaseStart('2026-03-01')?.version).toBe('2026-01-01');
    expect(overridden).toEqual([]);
  });

  it('keeps a published set in force over a later file for the same year, and names the year when they differ', () => {
    const published = set(2026, { version: '2026-op' });
    const { catalogue, overridden } = mergeNormSets(files, [published]);
    expect(catalogue.forYear(2026)?.version).toBe('2026-op');
    expect(overridden).toEqual([2026]);
    const same = files.find((f) => f.leaseYear === 2026) as NormSet;
    expect(mergeNormSets(files, [{ ...same, $comment: 'other comment' }]).overridden).toEqual([]);
  });

  it('refuses two years with one version', () => {
    expect(() => mergeNormSets(files, [set(2027, { version: '2026-01-01' })])).toThrow(NormsInvalidError);
  });

  it('compares sets without their comment', () => {
    expect(sameNormSet(set(2027, { $comment: 'a' }), set(2027, { $comment: 'b' }))).toBe(true);
    expect(sameNormSet(set(2027), set(2027, { rentCapCents: { low: 70_000, high: 75_693 } }))).toBe(false);
  });
});

describe('lease starts no norms can ever exist for', () => {
  const recorded = new Date('2026-12-07T10:00:00Z');

  it('accepts the recording year and the next two (norms for them may still be published)', () => {
    expect(leaseStartProblem('2024-01-01', recorded)).toBeUndefined();
    expect(leaseStartProblem('2027-03-01', recorded)).toBeUndefined();
    expect(leaseStartProblem('2028-12-31', recorded)).toBeUndefined();
  });

  it('refuses a lease start before the digital procedure began, or far beyond the recording', () => {
    expect(leaseStartProblem('2023-12-31', recorded)).toMatch(/^leaseStartDate: .*before 2024-01-01/);
    expect(leaseStartProblem('2019-03-01', recorded)).toMatch(/will ever exist/);
    expect(leaseStartProblem('2029-01-01', recorded)).toMatch(/^leaseStartDate: .*after 2028-12-31/);
    expect(leaseStartProblem('9999-12-31', recorded)).toBeDefined();
  });

  it('never goes beyond 2099, the last year norms may be published for', () => {
    expect(leaseStartProblem('2100-01-01', new Date('2099-06-01T00:00:00Z'))).toMatch(/after 2099-12-31/);
  });
});
