import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { calendarDate, plainText } from '@divit/service-kit';

/** Money limits up to 10 million euro: a limit beyond that is a typing error, not a norm. */
const cents = z.number().int().positive().max(1_000_000_000);
const factor = z
  .string()
  .regex(/^\d{1,2}\.\d{1,6}$/, 'a decimal with at most 2 integer digits and 6 decimals, e.g. "1.041301"');

/** The fields of a norm set: normSetSchema without its cross-field checks, so that the responses can extend it. */
export const normSetFields = z.strictObject({
  $comment: plainText({ max: 2_000, multiline: true }).optional(),
  /** Version id carried on decisions, e.g. "2026-01-01". */
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'letters, digits, ".", "_" or "-" (1-40)'),
  leaseYear: z.number().int().min(2000).max(2200),
  /** First lease start date the set applies to (inclusive). */
  validFrom: calendarDate({ min: '2000-01-01', max: '2200-12-31' }),
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
  indexationFactors: z
    .record(z.string().regex(/^\d{4}$/), factor)
    .refine((f) => Object.keys(f).length <= 10, 'at most 10 tax years'),
  assumptions: z
    .array(
      z.strictObject({ field: plainText({ max: 100 }), note: plainText({ max: 2_000, multiline: true }) }),
    )
    .max(50),
  sources: z.array(plainText({ max: 1_000 })).max(50),
});

/** One norm file (src/norms/data/<year>.json): the limits and indexation factors for leases starting in a year. */
export const normSetSchema = normSetFields.superRefine((n, ctx) => {
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

  /** The set for a lease year, if any. */
  forYear(leaseYear: number): NormSet | undefined {
    return this.sets.find((s) => s.leaseYear === leaseYear);
  }

  /** The lease years that have a norm set. */
  years(): number[] {
    return this.sets.map((s) => s.leaseYear);
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

/** Two norm sets say the same (the `$comment` is not part of the norms). */
export function sameNormSet(a: NormSet, b: NormSet): boolean {
  const { $comment: _a, ...x } = a;
  const { $comment: _b, ...y } = b;
  return isDeepStrictEqual(x, y);
}

/**
 * The catalogue in force: the shipped files plus the sets the platform operator published (PUT /norms/{year}). A
 * published set wins over a file for the same year (decisions may already carry its version); `overridden` names
 * those years so the caller can warn. Throws NormsInvalidError when two sets share a version.
 */
export function mergeNormSets(
  files: readonly NormSet[],
  published: readonly NormSet[],
): { catalogue: NormCatalogue; overridden: number[] } {
  const publishedYears = new Set(published.map((p) => p.leaseYear));
  const overridden = files
    .filter((f) => publishedYears.has(f.leaseYear))
    .filter((f) => !sameNormSet(f, published.find((p) => p.leaseYear === f.leaseYear) as NormSet))
    .map((f) => f.leaseYear);
  return {
    catalogue: new NormCatalogue([...files.filter((f) => !publishedYears.has(f.leaseYear)), ...published]),
    overridden,
  };
}

/** The first lease year of the digital procedure (DIV-it started on 1 January 2024; registration's DIVIT_START). */
export const FIRST_LEASE_YEAR = 2024;
/** The last lease year norms may be published for (as tariffs, no later than 2099). */
export const LAST_LEASE_YEAR = 2099;

/**
 * Why an allocation's lease start can never get norms, or undefined. Norms exist, or may still be published
 * (PUT /norms/{year}), only for lease years from FIRST_LEASE_YEAR; registration refuses lease starts more than 12
 * months after the day it records them, so a lease year more than two years after the recording is nonsense (a
 * lease start in 9999 once waited for ever). Uses the event's own time, so a replay decides the same.
 */
export function leaseStartProblem(leaseStartDate: string, recordedAt: Date): string | undefined {
  const year = Number(leaseStartDate.slice(0, 4));
  if (!Number.isInteger(year) || year < FIRST_LEASE_YEAR)
    return `leaseStartDate: ${leaseStartDate} lies before ${FIRST_LEASE_YEAR}-01-01, the start of the digital procedure; no income norms will ever exist for it`;
  const latest = Math.min(recordedAt.getUTCFullYear() + 2, LAST_LEASE_YEAR);
  if (year > latest)
    return `leaseStartDate: ${leaseStartDate} lies after ${latest}-12-31, more than a year beyond the allocation's recording (${recordedAt.toISOString().slice(0, 10)})`;
  return undefined;
}

/** The shipped data directory, next to this file both in src/ and in dist/ (the build copies it). */
export const DEFAULT_NORMS_DIR = join(__dirname, 'data');
