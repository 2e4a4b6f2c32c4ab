/**
 * The guarantee fund's shares (pure, no I/O), on the billing split engine (`splitInvoice`, ADR 0029): a joint
 * amount spread by integer weights with exact BigInt fractions and the largest-remainder method, so the parts
 * add up to the amount to the cent, deterministically (ties by party id), never negative.
 *
 * A contribution call (Woonkans agreement article 7 lid 3-6, annex 3): the municipalities' joint amount by their
 * regional key, the corporations' joint amount pro rata to their housing stock in the region, each care provider
 * a fixed amount. A refund on termination: the balance pro rata to each remaining party's contributions.
 */
import { splitInvoice } from '../split/split';

export type PartyKind = 'MUNICIPALITY' | 'CORPORATION' | 'CARE_PROVIDER';
export const PARTY_KINDS = ['MUNICIPALITY', 'CORPORATION', 'CARE_PROVIDER'] as const;

/** `totalCents` spread over the ids by their weights, largest remainder; all weights 0 with an amount is refused. */
export function splitByWeights(
  totalCents: number,
  weights: Readonly<Record<string, number>>,
): Record<string, number> {
  const ids = Object.keys(weights);
  if (ids.length === 0) return {};
  const result = splitInvoice({
    memberIds: ids,
    // One line without counted usage: spread wholly by the key (the engine's "shared" path).
    lines: [{ unit: 'DIGID_LOGIN', amountCents: totalCents, attributable: {}, sharedCount: 0 }],
    key: { basis: 'FIXED_PERCENTAGES', weights },
  });
  return Object.fromEntries(result.parts.map((p) => [p.memberId, p.amountCents]));
}

export interface CallParty {
  partyId: string;
  kind: PartyKind;
  /** MUNICIPALITY: its regional key weight; CORPORATION: its dwellings in the region on the call date. */
  weight: number;
}

export interface CallAmounts {
  municipalitiesTotalCents: number;
  corporationsTotalCents: number;
  careProviderCents: number;
}

export interface CallLine {
  partyId: string;
  kind: PartyKind;
  amountCents: number;
  /** The party's weight and its group's total weight (care providers: 1/1, a fixed amount). */
  keyNumerator: number;
  keyDenominator: number;
}

/**
 * Each active party's amount for one call. A group without parties is not called (its joint amount has no
 * one to pay it). Throws a {@link FundKeyEmptyError} when a group with parties has total weight 0.
 */
export function callLines(parties: readonly CallParty[], amounts: CallAmounts): CallLine[] {
  const lines: CallLine[] = [];
  for (const [kind, total] of [
    ['MUNICIPALITY', amounts.municipalitiesTotalCents],
    ['CORPORATION', amounts.corporationsTotalCents],
  ] as const) {
    const group = parties.filter((p) => p.kind === kind);
    if (group.length === 0) continue;
    const weights = Object.fromEntries(group.map((p) => [p.partyId, p.weight]));
    const sum = group.reduce((a, p) => a + p.weight, 0);
    if (sum === 0 && total > 0)
      throw new FundKeyEmptyError(
        kind === 'MUNICIPALITY'
          ? 'every municipality has regional key 0: the joint amount cannot be split'
          : 'no corporation has housing stock recorded in the region on this date: the joint amount cannot be split',
      );
    const parts = splitByWeights(total, weights);
    for (const p of group)
      lines.push({
        partyId: p.partyId,
        kind,
        amountCents: parts[p.partyId] ?? 0,
        keyNumerator: p.weight,
        keyDenominator: sum,
      });
  }
  for (const p of parties.filter((x) => x.kind === 'CARE_PROVIDER'))
    lines.push({
      partyId: p.partyId,
      kind: 'CARE_PROVIDER',
      amountCents: amounts.careProviderCents,
      keyNumerator: 1,
      keyDenominator: 1,
    });
  return lines.sort((a, b) => (a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0));
}

/**
 * The balance refunded on termination, pro rata to each remaining party's contributions (cents paid in).
 * Parties that contributed nothing get nothing; no contributions at all with a positive balance is refused.
 */
export function refundShares(
  balanceCents: number,
  contributedCents: Readonly<Record<string, number>>,
): Record<string, number> {
  if (balanceCents <= 0) return Object.fromEntries(Object.keys(contributedCents).map((id) => [id, 0]));
  const sum = Object.values(contributedCents).reduce((a, b) => a + b, 0);
  if (sum === 0)
    throw new FundKeyEmptyError(
      'no remaining party has contributed: the balance cannot be refunded pro rata',
    );
  return splitByWeights(balanceCents, contributedCents);
}

export class FundKeyEmptyError extends Error {
  readonly code = 'FUND_KEY_EMPTY';
  constructor(message: string) {
    super(message);
    this.name = 'FundKeyEmptyError';
  }
}
