import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const cents = z.number().int().positive();
const factor = z.string().regex(/^\d+\.\d{1,6}$/, 'a decimal with at most 6 decimals, e.g. "1.041301"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** One norm file (src/norms/data/<year>.json): the limits and indexation factors for leases starting in a year. */
export const normSetSchema = z
  .strictObject({
    $comment: z.string().optional(),
    /** Version id carried on decisions, e.g. "2026-01-01". */
    version: z.string().min(1).max(40),
    leaseYear: z.number().int().min(2000).max(2200),
    /** First lease start date the set applies to (inclusive). */
    validFrom: isoDate,
    daebLimitCents: z.strictObject({ onePerson: cents, multiPerson: cents }),
    passendLimitCents: z.strictObject({
      onePerson: cents,
      multiPerson: cents,
      onePersonPensionAge: cents,
      multiPersonPensionAge: cents,
    }),
    /** Aftoppingsgrenzen: low for one- and two-person households, high for three or more. */
    rentCapCents: z.strictObject({ low: cents, high: cents }),
    /** Tax year (string) → factor that indexes that year's income to the lease year. */
    indexationFactors: z.record(z.string().regex(/^\d{4}$/), factor),
    assumptions: z.array(z.strictObject({ field: z.string(), note: z.string() })),
    sources: z.array(z.string()),
  })
  .superRefine((n, ctx) => {
    if (!n.validFrom.startsWith(`${n.leaseYear}-`))
      ctx.addIssue({ code: 'custom', path: ['validFrom'], message: 'must lie in leaseYear' });
    for (const t of [n.leaseYear - 1, n.leaseYear - 2])
      if (!(String(t) in n.indexationFactors))
        ctx.addIssue({
          code: 'custom',
          path: ['indexationFactors', String(t)],
          message: `factor for tax year ${t} is required`,
        });
    if (n.rentCapCents.low > n.rentCapCents.high)
      ctx.addIssue({ code: 'custom', path: ['rentCapCents', 'low'], message: 'must not exceed high' });
  });

export type NormSet = z.infer<typeof normSetSchema>;

export class NormsInvalidError extends Error {}

/** The norm sets, ordered by validFrom; picks the one in force on a lease start date. */
export class NormCatalogue {
  private readonly sets: NormSet[];

  constructor(sets: NormSet[]) {
    this.sets = [...sets].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
    const versions = new Set<string>();
    const years = new Set<number>();
    for (const s of this.sets) {
      if (versions.has(s.version)) throw new NormsInvalidError(`duplicate norm version ${s.version}`);
      if (years.has(s.leaseYear)) throw new NormsInvalidError(`two norm sets for lease year ${s.leaseYear}`);
      versions.add(s.version);
      years.add(s.leaseYear);
    }
  }

  all(): readonly NormSet[] {
    return this.sets;
  }

  /** The set for the lease start date's year with the latest validFrom ≤ the date, or undefined. */
  forLeaseStart(leaseStartDate: string): NormSet | undefined {
    const year = Number(leaseStartDate.slice(0, 4));
    let found: NormSet | undefined;
    for (const s of this.sets) if (s.leaseYear === year && s.validFrom <= leaseStartDate) found = s;
    return found;
  }
}

/** Reads and validates every `*.json` in the directory; any invalid file stops the boot with its name and field. */
export function loadNormCatalogue(dir: string): NormCatalogue {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new NormsInvalidError(`no norm files (*.json) in ${dir}`);
  const sets = files.map((file) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      throw new NormsInvalidError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = normSetSchema.safeParse(raw);
    if (!parsed.success)
      throw new NormsInvalidError(
        `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    if (file !== `${parsed.data.leaseYear}.json`)
      throw new NormsInvalidError(`${file}: file name must be ${parsed.data.leaseYear}.json`);
    return parsed.data;
  });
  return new NormCatalogue(sets);
}

/** The shipped data directory, next to this file both in src/ and in dist/ (the build copies it). */
export const DEFAULT_NORMS_DIR = join(__dirname, 'data');
