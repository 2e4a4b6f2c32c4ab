import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NORMS_DIR, loadNormCatalogue, NormsInvalidError } from './norms';

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
});
