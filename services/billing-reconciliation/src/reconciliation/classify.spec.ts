import { amountFor, classify, UnitFigures } from './classify';

const base: UnitFigures = {
  unit: 'DATA_SHARING',
  counted: 100,
  late: 0,
  invoicedCount: 100,
  invoicedAmountCents: 6000,
  unitPriceMillicents: 60000,
};

describe('classify', () => {
  it('finds nothing when counts and amounts agree', () => {
    expect(classify([base], 2)).toEqual([]);
  });

  it('explains an excess first by late usage, then as missing on the invoice', () => {
    const found = classify([{ ...base, counted: 105, late: 2 }], 2);
    expect(found.map((d) => [d.class, d.count, d.amountCents])).toEqual([
      ['LATE_USAGE', 2, 120],
      ['USAGE_MISSING_ON_INVOICE', 3, 180],
    ]);
  });

  it('reports usage the invoice holds but we do not', () => {
    expect(classify([{ ...base, counted: 97 }], 2).map((d) => [d.class, d.count])).toEqual([
      ['USAGE_MISSING_ON_OUR_SIDE', 3],
    ]);
  });

  it('tells rounding (within tolerance) from a tariff mismatch', () => {
    expect(classify([{ ...base, invoicedAmountCents: 6001 }], 2).map((d) => d.class)).toEqual(['ROUNDING']);
    expect(
      classify([{ ...base, invoicedAmountCents: 6500 }], 2).map((d) => [d.class, d.amountCents]),
    ).toEqual([['TARIFF_MISMATCH', 500]]);
  });

  it('rounds tariff amounts half up to the cent', () => {
    expect(amountFor(3, 37500)).toBe(113); // 112.5 → 113
    expect(amountFor(1, 100)).toBe(0);
  });
});
