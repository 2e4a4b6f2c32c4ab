import fc from 'fast-check';
import { KeyBasis, splitInvoice, SplitError, SplitInput } from './split';

const memberId = fc.uuid();
const members = fc.uniqueArray(memberId, { minLength: 1, maxLength: 12 });
const keyBases: KeyBasis[] = ['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES'];

/** A random but valid split input: random usage, invoice amounts, key and member set. */
const splitInput = members.chain((ids) =>
  fc
    .record({
      memberIds: fc.constant(ids),
      basis: fc.constantFrom(...keyBases),
      weights: fc.array(fc.integer({ min: 0, max: 50_000 }), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
      lines: fc.array(
        fc.record({
          unit: fc.constantFrom('DIGID_LOGIN' as const, 'DATA_SHARING' as const),
          amountCents: fc.integer({ min: 0, max: 50_000_000 }),
          attributable: fc.array(fc.integer({ min: 0, max: 100_000 }), {
            minLength: ids.length,
            maxLength: ids.length,
          }),
          sharedCount: fc.integer({ min: 0, max: 1_000_000 }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
    })
    .map(({ memberIds, basis, weights, lines }): SplitInput => {
      const w =
        basis === 'EQUAL' ? weights.map(() => 1) : weights.map((x, i) => (i === 0 ? Math.max(x, 1) : x));
      return {
        memberIds,
        key: { basis, weights: Object.fromEntries(memberIds.map((m, i) => [m, w[i] ?? 0])) },
        lines: lines.map((l) => ({
          unit: l.unit,
          amountCents: l.amountCents,
          sharedCount: l.sharedCount,
          attributable: Object.fromEntries(memberIds.map((m, i) => [m, l.attributable[i] ?? 0])),
        })),
      };
    }),
);

describe('splitInvoice (properties)', () => {
  it('the members’ parts add up exactly to the invoice total, and no part is negative', () => {
    fc.assert(
      fc.property(splitInput, (input) => {
        const result = splitInvoice(input);
        const total = input.lines.reduce((a, l) => a + l.amountCents, 0);
        expect(result.parts.reduce((a, p) => a + p.amountCents, 0)).toBe(total);
        for (const p of result.parts) {
          expect(p.amountCents).toBe(p.attributableCents + p.sharedCents);
          expect(p.attributableCents).toBeGreaterThanOrEqual(0);
          expect(p.sharedCents).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('same input gives the same output, whatever the order of the members', () => {
    fc.assert(
      fc.property(splitInput, (input) => {
        const again = splitInvoice({ ...input, memberIds: [...input.memberIds].reverse() });
        expect(again).toEqual(splitInvoice(input));
        expect(splitInvoice(input)).toEqual(splitInvoice(input));
      }),
      { numRuns: 200 },
    );
  });

  it('adding a member with zero usage and zero weight changes nothing (housing stock, allocations, fixed percentages)', () => {
    fc.assert(
      fc.property(
        splitInput.filter((i) => i.key.basis !== 'EQUAL'),
        memberId,
        (input, extra) => {
          fc.pre(!input.memberIds.includes(extra));
          const before = splitInvoice(input);
          const after = splitInvoice({
            ...input,
            memberIds: [...input.memberIds, extra],
            key: { ...input.key, weights: { ...input.key.weights, [extra]: 0 } },
          });
          const newcomer = after.parts.find((p) => p.memberId === extra);
          expect(newcomer?.amountCents).toBe(0);
          expect(after.parts.filter((p) => p.memberId !== extra)).toEqual(before.parts);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('under EQUAL a newcomer does take a share; what holds: shared parts differ by at most one cent and attributable usage stays with its member', () => {
    fc.assert(
      fc.property(
        splitInput.filter((i) => i.key.basis === 'EQUAL'),
        memberId,
        (input, extra) => {
          fc.pre(!input.memberIds.includes(extra));
          const after = splitInvoice({
            ...input,
            memberIds: [...input.memberIds, extra],
            key: { basis: 'EQUAL', weights: { ...input.key.weights, [extra]: 1 } },
          });
          const shared = after.parts.map((p) => p.sharedCents);
          expect(Math.max(...shared) - Math.min(...shared)).toBeLessThanOrEqual(1);
          const newcomer = after.parts.find((p) => p.memberId === extra);
          expect(newcomer?.attributableCents).toBe(0);
          expect(after.parts.reduce((a, p) => a + p.amountCents, 0)).toBe(after.totalCents);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('splitInvoice (examples)', () => {
  const [a, b, c] = [
    '00000000-0000-4000-8000-00000000000a',
    '00000000-0000-4000-8000-00000000000b',
    '00000000-0000-4000-8000-00000000000c',
  ];

  it('charges attributable usage to the letting member and splits the rest by housing stock', () => {
    const result = splitInvoice({
      memberIds: [a, b],
      key: { basis: 'HOUSING_STOCK', weights: { [a]: 3000, [b]: 1000 } },
      lines: [{ unit: 'DATA_SHARING', amountCents: 1000, attributable: { [a]: 2 }, sharedCount: 8 }],
    });
    // 10 units at 100 cents: a lets 2 (200), the 8 shared (800) go 3:1 → a 600, b 200.
    expect(result.parts).toEqual([
      expect.objectContaining({ memberId: a, attributableCents: 200, sharedCents: 600, amountCents: 800 }),
      expect.objectContaining({ memberId: b, attributableCents: 0, sharedCents: 200, amountCents: 200 }),
    ]);
  });

  it('gives the remaining cents by largest remainder, ties to the lowest member id', () => {
    const result = splitInvoice({
      memberIds: [c, b, a],
      key: { basis: 'EQUAL', weights: { [a]: 1, [b]: 1, [c]: 1 } },
      lines: [{ unit: 'DIGID_LOGIN', amountCents: 100, attributable: {}, sharedCount: 3 }],
    });
    expect(result.parts.map((p) => [p.memberId, p.amountCents])).toEqual([
      [a, 34],
      [b, 33],
      [c, 33],
    ]);
  });

  it('spreads a line without counted usage entirely by the key', () => {
    const result = splitInvoice({
      memberIds: [a, b],
      key: { basis: 'FIXED_PERCENTAGES', weights: { [a]: 2500, [b]: 7500 } },
      lines: [{ unit: 'DIGID_LOGIN', amountCents: 999, attributable: {}, sharedCount: 0 }],
    });
    expect(result.parts.map((p) => p.amountCents)).toEqual([250, 749]);
  });

  it('refuses a key that gives everyone weight 0 when there is shared usage', () => {
    expect(() =>
      splitInvoice({
        memberIds: [a, b],
        key: { basis: 'HOUSING_STOCK', weights: { [a]: 0, [b]: 0 } },
        lines: [{ unit: 'DIGID_LOGIN', amountCents: 10, attributable: {}, sharedCount: 1 }],
      }),
    ).toThrow(SplitError);
  });
});
