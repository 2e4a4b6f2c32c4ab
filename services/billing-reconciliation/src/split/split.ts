/**
 * Splitting one invoice over the member corporations of a route B or C organisation (pure, no I/O).
 *
 * Per unit (DigiD login, data sharing) the invoiced amount is spread over the usage we counted: usage a
 * member let the dwelling for is charged to that member ("attributable"); usage that is not attributable to
 * one member (registration-time logins and sharings) is spread by the allocation key ("shared"). Every usage
 * unit of a line carries the same price (amount / counted), so a difference between our count and the
 * invoiced count is spread proportionally and the parts always add up to the invoice. A line without any
 * counted usage is spread entirely by the key.
 *
 * Exact arithmetic: every part is a fraction over one common denominator (BigInt). Each member has two
 * buckets (attributable, shared); each bucket gets the floor of its exact value and the remaining cents go
 * one by one to the buckets with the largest remainders (largest-remainder method), ties broken by member
 * id and then attributable before shared. So:
 * - the members' amounts add up to the invoice total to the cent;
 * - the same input gives the same output (member order in the input does not matter);
 * - no amount is negative (all inputs are non-negative);
 * - a member with zero attributable usage and zero key weight gets exactly nothing and changes nobody
 *   else's amount (its remainder is 0 and fewer cents remain than buckets with a positive remainder).
 */

export type UsageUnit = 'DIGID_LOGIN' | 'DATA_SHARING';
export type KeyBasis = 'HOUSING_STOCK' | 'ALLOCATIONS' | 'EQUAL' | 'FIXED_PERCENTAGES' | 'OWN_INVOICE';

export interface SplitLine {
  unit: UsageUnit;
  /** Net invoiced amount of this unit, euro cents (≥ 0). */
  amountCents: number;
  /** Counted usage attributable to a member (member id → count). Ids that are not members are ignored. */
  attributable: Readonly<Record<string, number>>;
  /** Counted usage not attributable to one member: spread by the key. */
  sharedCount: number;
}

export interface SplitKey {
  basis: KeyBasis;
  /** Member id → non-negative integer weight (dwellings, allocations, 1 for equal, basis points). */
  weights: Readonly<Record<string, number>>;
}

export interface SplitInput {
  memberIds: readonly string[];
  lines: readonly SplitLine[];
  key: SplitKey;
}

export interface MemberPart {
  memberId: string;
  amountCents: number;
  attributableCents: number;
  sharedCents: number;
  attributableUsageCount: number;
  keyShareNumerator: number;
  keyShareDenominator: number;
}

export interface SplitResult {
  totalCents: number;
  basis: KeyBasis;
  parts: MemberPart[];
}

export class SplitError extends Error {
  constructor(
    readonly code: 'ALLOCATION_KEY_EMPTY' | 'NO_MEMBERS' | 'INVALID_SPLIT_INPUT',
    message: string,
  ) {
    super(message);
    this.name = 'SplitError';
  }
}

const nonNegativeInt = (n: number) => Number.isSafeInteger(n) && n >= 0;

export function splitInvoice(input: SplitInput): SplitResult {
  const members = [...new Set(input.memberIds)].sort();
  if (members.length === 0)
    throw new SplitError('NO_MEMBERS', 'an invoice needs at least one member to split over');
  const weight = new Map(members.map((m) => [m, input.key.weights[m] ?? 0]));
  for (const [m, w] of weight)
    if (!nonNegativeInt(w))
      throw new SplitError('INVALID_SPLIT_INPUT', `weight of ${m} is not a non-negative integer`);
  const W = [...weight.values()].reduce((a, b) => a + b, 0);
  const memberSet = new Set(members);

  const lines = input.lines.map((line) => {
    if (!nonNegativeInt(line.amountCents) || !nonNegativeInt(line.sharedCount))
      throw new SplitError(
        'INVALID_SPLIT_INPUT',
        `line ${line.unit}: amounts and counts must be non-negative integers`,
      );
    const attributable = new Map<string, number>();
    let nonMemberCount = 0;
    for (const [m, c] of Object.entries(line.attributable)) {
      if (!nonNegativeInt(c)) throw new SplitError('INVALID_SPLIT_INPUT', `line ${line.unit}: bad count`);
      if (memberSet.has(m)) attributable.set(m, c);
      else nonMemberCount += c;
    }
    // Usage attributed to a corporation that is not a member in the period is shared by the key.
    const shared = line.sharedCount + nonMemberCount;
    const counted = [...attributable.values()].reduce((a, b) => a + b, 0) + shared;
    return { line, attributable, shared, counted };
  });

  const needsKey = lines.some((l) => l.line.amountCents > 0 && (l.counted === 0 || l.shared > 0));
  if (needsKey && W === 0)
    throw new SplitError(
      'ALLOCATION_KEY_EMPTY',
      `the ${input.key.basis} key gives every member weight 0, so shared usage cannot be split`,
    );
  const w = BigInt(Math.max(W, 1));
  const D = lines.reduce((d, l) => d * BigInt(Math.max(l.counted, 1)), w);

  const attr = new Map<string, bigint>(members.map((m) => [m, 0n]));
  const shared = new Map<string, bigint>(members.map((m) => [m, 0n]));
  for (const l of lines) {
    const A = BigInt(l.line.amountCents);
    if (A === 0n) continue;
    if (l.counted > 0) {
      const perCount = D / BigInt(l.counted); // exact: D has counted as a factor
      for (const [m, c] of l.attributable) attr.set(m, (attr.get(m) ?? 0n) + A * BigInt(c) * perCount);
      if (l.shared > 0) {
        const perWeight = perCount / w; // exact: D / counted still has W as a factor
        for (const m of members)
          shared.set(
            m,
            (shared.get(m) ?? 0n) + A * BigInt(l.shared) * BigInt(weight.get(m) ?? 0) * perWeight,
          );
      }
    } else {
      const perWeight = D / w;
      for (const m of members)
        shared.set(m, (shared.get(m) ?? 0n) + A * BigInt(weight.get(m) ?? 0) * perWeight);
    }
  }

  const total = input.lines.reduce((a, l) => a + l.amountCents, 0);
  type Bucket = { member: string; kind: 0 | 1; floor: bigint; rem: bigint };
  const buckets: Bucket[] = [];
  for (const m of members) {
    for (const [kind, exact] of [
      [0, attr.get(m) ?? 0n],
      [1, shared.get(m) ?? 0n],
    ] as const)
      buckets.push({ member: m, kind, floor: exact / D, rem: exact % D });
  }
  let leftover = BigInt(total) - buckets.reduce((a, b) => a + b.floor, 0n);
  const order = [...buckets].sort((a, b) =>
    a.rem !== b.rem
      ? a.rem > b.rem
        ? -1
        : 1
      : a.member !== b.member
        ? a.member < b.member
          ? -1
          : 1
        : a.kind - b.kind,
  );
  for (const b of order) {
    if (leftover <= 0n) break;
    b.floor += 1n;
    leftover -= 1n;
  }
  if (leftover !== 0n) throw new Error('split invariant violated: cents left over');

  const parts = members.map((m): MemberPart => {
    const a = Number(buckets.find((b) => b.member === m && b.kind === 0)?.floor ?? 0n);
    const s = Number(buckets.find((b) => b.member === m && b.kind === 1)?.floor ?? 0n);
    return {
      memberId: m,
      amountCents: a + s,
      attributableCents: a,
      sharedCents: s,
      attributableUsageCount: lines.reduce((n, l) => n + (l.attributable.get(m) ?? 0), 0),
      keyShareNumerator: weight.get(m) ?? 0,
      keyShareDenominator: W,
    };
  });
  return { totalCents: total, basis: input.key.basis, parts };
}
