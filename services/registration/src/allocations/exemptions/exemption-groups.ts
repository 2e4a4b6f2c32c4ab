import { z } from 'zod';
import { ExemptionGroup, ExemptionGroupSymbols } from '@divit/contracts';
import file from './exemption-groups.json';

const groupSchema = z.strictObject({
  code: z.enum(ExemptionGroupSymbols),
  /** The group as the source names it (Dutch). */
  term: z.string().min(1),
  /** The largest household (home seeker and co-residents) the exemption covers; null: no bound. */
  maxHouseholdSize: z.number().int().positive().nullable(),
  validFrom: z.iso.date(),
  source: z.string().min(1),
  assumption: z.boolean(),
});

export type ExemptionGroupRule = z.infer<typeof groupSchema>;

const fileSchema = z
  .object({ groups: z.array(groupSchema).min(1) })
  .refine((f) => new Set(f.groups.map((g) => g.code)).size === f.groups.length, 'one entry per code')
  .refine(
    (f) => ExemptionGroupSymbols.every((symbol) => f.groups.some((g) => g.code === symbol)),
    'every ExemptionGroup symbol of the contract has an entry',
  );

/**
 * Parses exemption-group data: each group's code (a contract symbol), its conditions and its source. A file that
 * names an unknown code, misses a contract symbol or repeats one is refused.
 */
export function parseExemptionGroups(data: unknown): readonly ExemptionGroupRule[] {
  return fileSchema.parse(data).groups;
}

/** The shipped data, validated when the module loads (a bad file stops the service at start, never mid-request). */
export const EXEMPTION_GROUPS: readonly ExemptionGroupRule[] = parseExemptionGroups(file);

/**
 * Why `group` does not apply to a household of `householdSize` people with a lease starting on `leaseStartDate`,
 * or null when it does.
 */
export function exemptionRefusal(
  group: ExemptionGroup,
  householdSize: number,
  leaseStartDate: string,
  groups: readonly ExemptionGroupRule[] = EXEMPTION_GROUPS,
): { message: string; rule: ExemptionGroupRule | undefined } | null {
  const rule = groups.find((g) => g.code === group);
  if (!rule) return { message: `no exemption data for ${group}`, rule };
  if (leaseStartDate < rule.validFrom)
    return { message: `${group} applies to leases from ${rule.validFrom}`, rule };
  if (rule.maxHouseholdSize !== null && householdSize > rule.maxHouseholdSize)
    return {
      message: `${group} (${rule.term}) covers a household of at most ${rule.maxHouseholdSize} people, not ${householdSize}`,
      rule,
    };
  return null;
}
