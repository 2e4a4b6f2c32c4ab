import type { PassendCategory } from '@divit/contracts';
import type { NormSet } from '../norms/norms';
import { indexCents } from './money';

/** The facts the income test needs about a household (no names, no BSNs). */
export interface HouseholdFacts {
  /** Everyone who will live in the dwelling, children included. */
  householdSize: number;
  /** Whether the household counts as "pension age" (AOW) for passend toewijzen; see README (assumption). */
  pensionAge: boolean;
  /** Monthly bare rent in cents, or null when no rent is given (then `passend` is null). */
  monthlyRentCents: number | null;
}

export interface IncomeTestResult {
  normVersion: string;
  householdIncomeCents: number;
  /** ≤ the DAEB limit for the household size: eligible for social housing. */
  eligible: boolean;
  daebLimitCents: number;
  passendCategory: PassendCategory;
  passendLimitCents: number;
  /** ≤ the passend limit of the category: the household is in the passend-toewijzen target group. */
  withinPassendLimit: boolean;
  /** The rent cap (aftoppingsgrens) that applies to the household size, when a rent is given. */
  rentCapCents: number | null;
  /** When a rent is given: target-group households fit up to the cap; others fit any social rent. */
  passend: boolean | null;
}

export function passendCategoryFor(householdSize: number, pensionAge: boolean): PassendCategory {
  if (householdSize <= 1) return pensionAge ? 'ONE_PERSON_PENSION_AGE' : 'ONE_PERSON';
  return pensionAge ? 'MULTI_PERSON_PENSION_AGE' : 'MULTI_PERSON';
}

const passendKey = {
  ONE_PERSON: 'onePerson',
  MULTI_PERSON: 'multiPerson',
  ONE_PERSON_PENSION_AGE: 'onePersonPensionAge',
  MULTI_PERSON_PENSION_AGE: 'multiPersonPensionAge',
} as const satisfies Record<PassendCategory, keyof NormSet['passendLimitCents']>;

/**
 * The income test. Limits are inclusive ("at the limit" passes): income ≤ DAEB limit is eligible,
 * income ≤ passend limit is in the target group, rent ≤ cap is passend for the target group.
 * Rent cap: low for households of one or two persons, high for three or more.
 */
export function applyIncomeTest(
  norms: NormSet,
  householdIncomeCents: number,
  facts: HouseholdFacts,
): IncomeTestResult {
  if (!Number.isInteger(facts.householdSize) || facts.householdSize < 1)
    throw new Error('householdSize must be a positive integer');
  const daebLimitCents =
    facts.householdSize <= 1 ? norms.daebLimitCents.onePerson : norms.daebLimitCents.multiPerson;
  const passendCategory = passendCategoryFor(facts.householdSize, facts.pensionAge);
  const passendLimitCents = norms.passendLimitCents[passendKey[passendCategory]];
  const withinPassendLimit = householdIncomeCents <= passendLimitCents;
  const rentCapCents =
    facts.monthlyRentCents === null
      ? null
      : facts.householdSize <= 2
        ? norms.rentCapCents.low
        : norms.rentCapCents.high;
  const passend =
    facts.monthlyRentCents === null || rentCapCents === null
      ? null
      : !withinPassendLimit || facts.monthlyRentCents <= rentCapCents;
  return {
    normVersion: norms.version,
    householdIncomeCents,
    eligible: householdIncomeCents <= daebLimitCents,
    daebLimitCents,
    passendCategory,
    passendLimitCents,
    withinPassendLimit,
    rentCapCents,
    passend,
  };
}

/** One income figure shared by a member (from IncomeShared). */
export interface SharedIncomeFigure {
  sharingId: string;
  memberId: string;
  consentId: string;
  incomeCents: number;
  incomeKind: string;
  taxYear: number;
  receivedAt: string;
}

export interface IndexedMemberIncome extends SharedIncomeFigure {
  indexationFactor: string;
  indexedIncomeCents: number;
}

/**
 * Picks a member's income figure by the configured year rule: offsets from the lease year tried in order
 * (default [1, 2]: t-1, else t-2). Among figures for the same year the latest received wins.
 * Returns undefined when no figure is for an allowed year.
 */
export function selectIncome(
  figures: readonly SharedIncomeFigure[],
  leaseYear: number,
  yearOffsets: readonly number[],
): SharedIncomeFigure | undefined {
  for (const offset of yearOffsets) {
    const candidates = figures
      .filter((f) => f.taxYear === leaseYear - offset)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    if (candidates[0]) return candidates[0];
  }
  return undefined;
}

/** Indexes each member's figure to the lease year (rounded per member, see money.ts) and sums them. */
export function householdIncome(
  norms: NormSet,
  figures: readonly SharedIncomeFigure[],
): { members: IndexedMemberIncome[]; householdIncomeCents: number } {
  const members = figures.map((f) => {
    const factor = norms.indexationFactors[String(f.taxYear)];
    if (factor === undefined)
      throw new Error(`no indexation factor for tax year ${f.taxYear} in norms ${norms.version}`);
    return { ...f, indexationFactor: factor, indexedIncomeCents: indexCents(f.incomeCents, factor) };
  });
  return { members, householdIncomeCents: members.reduce((s, m) => s + m.indexedIncomeCents, 0) };
}
