import fc from 'fast-check';
import { callLines, FundKeyEmptyError, refundShares, splitByWeights } from './fund-split';

const WOONKANS = {
  municipalitiesTotalCents: 5_000_000,
  corporationsTotalCents: 5_000_000,
  careProviderCents: 100_000,
};

describe('guarantee fund shares on the split engine', () => {
  it("splits the agreement's figures: municipalities by key, corporations by stock, care providers fixed", () => {
    const lines = callLines(
      [
        { partyId: 'm1', kind: 'MUNICIPALITY', weight: 1 },
        { partyId: 'm2', kind: 'MUNICIPALITY', weight: 1 },
        { partyId: 'm3', kind: 'MUNICIPALITY', weight: 1 },
        { partyId: 'c1', kind: 'CORPORATION', weight: 3000 },
        { partyId: 'c2', kind: 'CORPORATION', weight: 1000 },
        { partyId: 'z1', kind: 'CARE_PROVIDER', weight: 1 },
        { partyId: 'z2', kind: 'CARE_PROVIDER', weight: 1 },
      ],
      WOONKANS,
    );
    const amount = Object.fromEntries(lines.map((l) => [l.partyId, l.amountCents]));
    // 5 000 000 / 3 = 1 666 666.67: one municipality gets the extra cent (largest remainder, ties by id).
    expect([amount.m1, amount.m2, amount.m3]).toEqual([1_666_667, 1_666_667, 1_666_666]);
    expect(amount.c1).toBe(3_750_000);
    expect(amount.c2).toBe(1_250_000);
    expect(amount.z1).toBe(100_000);
    expect(amount.z2).toBe(100_000);
    expect(lines.reduce((a, l) => a + l.amountCents, 0)).toBe(10_200_000);
    expect(lines.find((l) => l.partyId === 'c1')).toMatchObject({ keyNumerator: 3000, keyDenominator: 4000 });
  });

  it('leaves out a group without parties and refuses a group whose weights are all 0', () => {
    expect(callLines([{ partyId: 'z', kind: 'CARE_PROVIDER', weight: 1 }], WOONKANS)).toEqual([
      { partyId: 'z', kind: 'CARE_PROVIDER', amountCents: 100_000, keyNumerator: 1, keyDenominator: 1 },
    ]);
    expect(() => callLines([{ partyId: 'c', kind: 'CORPORATION', weight: 0 }], WOONKANS)).toThrow(
      FundKeyEmptyError,
    );
  });

  it('refunds pro rata to contributions and gives a party that contributed nothing nothing', () => {
    expect(refundShares(1_000, { a: 1, b: 1, c: 1 })).toEqual({ a: 334, b: 333, c: 333 });
    expect(refundShares(999, { a: 2, b: 1, z: 0 })).toEqual({ a: 666, b: 333, z: 0 });
    expect(refundShares(0, { a: 5 })).toEqual({ a: 0 });
    expect(() => refundShares(10, { a: 0 })).toThrow(FundKeyEmptyError);
  });

  it('property: every split adds up to the amount to the cent, never negative, each within a cent of its exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc
          .array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 40 })
          .filter((w) => w.some((x) => x > 0)),
        (total, ws) => {
          const weights = Object.fromEntries(ws.map((w, i) => [`p${String(i).padStart(2, '0')}`, w]));
          const parts = splitByWeights(total, weights);
          const sum = ws.reduce((a, b) => a + b, 0);
          expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBe(total);
          for (const [id, w] of Object.entries(weights)) {
            const exact = (total * w) / sum;
            expect(parts[id]).toBeGreaterThanOrEqual(0);
            expect(Math.abs((parts[id] ?? 0) - exact)).toBeLessThan(1 + 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
