import { DEFAULT_NORMS_DIR, loadNormCatalogue, NormSet } from '../norms/norms';
import {
  applyIncomeTest,
  householdIncome,
  passendCategoryFor,
  selectIncome,
  SharedIncomeFigure,
} from './income-test';

const catalogue = loadNormCatalogue(DEFAULT_NORMS_DIR);
const norms = (year: number): NormSet => {
  const n = catalogue.forLeaseStart(`${year}-07-01`);
  if (!n) throw new Error(`no norms for ${year}`);
  return n;
};

/** Published values (EUR) from the domain brief; the 2024 multi-person pension-age limit is our assumption. */
const expected = {
  2024: { daeb: [47_699, 52_671], passend: [27_725, 37_625, 27_225, 36_501] },
  2025: { daeb: [49_669, 54_847], passend: [28_375, 38_500, 27_775, 37_350] },
  2026: { daeb: [51_537, 56_910], passend: [29_400, 39_925, 28_775, 38_650] },
} as const;

const years = [2024, 2025, 2026] as const;
const sizes = [
  { size: 1, label: 'one person', idx: 0 },
  { size: 2, label: 'more persons (2)', idx: 1 },
  { size: 5, label: 'more persons (5)', idx: 1 },
] as const;
const offsets = [
  { delta: -1, label: 'one cent under' },
  { delta: 0, label: 'at' },
  { delta: 1, label: 'one cent over' },
] as const;

describe('norm data as shipped', () => {
  it.each(years)('%i carries the published DAEB and passend limits in cents', (year) => {
    const n = norms(year);
    const e = expected[year];
    expect([n.daebLimitCents.onePerson, n.daebLimitCents.multiPerson]).toEqual(e.daeb.map((v) => v * 100));
    expect([
      n.passendLimitCents.onePerson,
      n.passendLimitCents.multiPerson,
      n.passendLimitCents.onePersonPensionAge,
      n.passendLimitCents.multiPersonPensionAge,
    ]).toEqual(e.passend.map((v) => v * 100));
    expect(n.version).toBe(`${year}-01-01`);
  });
});

describe('DAEB eligibility at every limit boundary', () => {
  for (const year of years)
    for (const { size, label, idx } of sizes)
      for (const { delta, label: where } of offsets)
        for (const pensionAge of [false, true])
          it(`${year}, ${label}, pension age ${pensionAge}: ${where} the limit → eligible ${delta <= 0}`, () => {
            const limit = expected[year].daeb[idx] * 100;
            const r = applyIncomeTest(norms(year), limit + delta, {
              householdSize: size,
              pensionAge,
              monthlyRentCents: null,
            });
            expect(r.daebLimitCents).toBe(limit);
            expect(r.eligible).toBe(delta <= 0);
            expect(r.normVersion).toBe(`${year}-01-01`);
          });
});

describe('passend-toewijzen category and limit at every boundary', () => {
  for (const year of years)
    for (const { size, label } of sizes)
      for (const pensionAge of [false, true])
        for (const { delta, label: where } of offsets)
          it(`${year}, ${label}, pension age ${pensionAge}: ${where} the passend limit → target group ${delta <= 0}`, () => {
            const category = passendCategoryFor(size, pensionAge);
            const col = (size === 1 ? 0 : 1) + (pensionAge ? 2 : 0);
            const limit = (expected[year].passend[col] ?? 0) * 100;
            const r = applyIncomeTest(norms(year), limit + delta, {
              householdSize: size,
              pensionAge,
              monthlyRentCents: null,
            });
            expect(r.passendCategory).toBe(category);
            expect(r.passendLimitCents).toBe(limit);
            expect(r.withinPassendLimit).toBe(delta <= 0);
            expect(r.passend).toBeNull();
            expect(r.rentCapCents).toBeNull();
          });
});

describe('passend yes/no when a rent is given', () => {
  for (const year of years)
    for (const size of [1, 2, 3] as const)
      for (const { delta, label: where } of offsets)
        it(`${year}, household of ${size} in the target group: rent ${where} the cap → passend ${delta <= 0}`, () => {
          const n = norms(year);
          const cap = size <= 2 ? n.rentCapCents.low : n.rentCapCents.high;
          const r = applyIncomeTest(n, 1_000_000, {
            householdSize: size,
            pensionAge: false,
            monthlyRentCents: cap + delta,
          });
          expect(r.withinPassendLimit).toBe(true);
          expect(r.rentCapCents).toBe(cap);
          expect(r.passend).toBe(delta <= 0);
        });

  it.each(years)('%i: above the passend limit any rent is passend (cap does not apply)', (year) => {
    const n = norms(year);
    const r = applyIncomeTest(n, n.passendLimitCents.onePerson + 1, {
      householdSize: 1,
      pensionAge: false,
      monthlyRentCents: n.rentCapCents.high + 50_000,
    });
    expect(r.withinPassendLimit).toBe(false);
    expect(r.passend).toBe(true);
  });

  it('pension-age households use the same caps by size', () => {
    const n = norms(2025);
    const r = applyIncomeTest(n, 2_000_000, {
      householdSize: 2,
      pensionAge: true,
      monthlyRentCents: n.rentCapCents.low + 1,
    });
    expect(r.passendCategory).toBe('MULTI_PERSON_PENSION_AGE');
    expect(r.passend).toBe(false);
  });

  it('refuses a household size below one', () => {
    expect(() =>
      applyIncomeTest(norms(2025), 0, { householdSize: 0, pensionAge: false, monthlyRentCents: null }),
    ).toThrow('householdSize');
  });
});

const fig = (over: Partial<SharedIncomeFigure>): SharedIncomeFigure => ({
  sharingId: 's',
  memberId: 'm',
  consentId: 'c',
  incomeCents: 3_000_000,
  incomeKind: 'AGGREGATE_INCOME',
  taxYear: 2024,
  receivedAt: '2025-03-01T00:00:00.000Z',
  ...over,
});

describe('income year selection (t-1, else t-2, configurable)', () => {
  it('prefers t-1 over t-2', () => {
    const s = selectIncome(
      [fig({ taxYear: 2023, sharingId: 'a' }), fig({ taxYear: 2024, sharingId: 'b' })],
      2025,
      [1, 2],
    );
    expect(s?.sharingId).toBe('b');
  });
  it('falls back to t-2', () => {
    expect(selectIncome([fig({ taxYear: 2023 })], 2025, [1, 2])?.taxYear).toBe(2023);
  });
  it('ignores other years and honours a t-1-only rule', () => {
    expect(selectIncome([fig({ taxYear: 2022 })], 2025, [1, 2])).toBeUndefined();
    expect(selectIncome([fig({ taxYear: 2023 })], 2025, [1])).toBeUndefined();
  });
  it('takes the latest received figure of the same year', () => {
    const s = selectIncome(
      [
        fig({ sharingId: 'old', receivedAt: '2025-01-01T00:00:00.000Z' }),
        fig({ sharingId: 'new', receivedAt: '2025-02-01T00:00:00.000Z' }),
      ],
      2025,
      [1, 2],
    );
    expect(s?.sharingId).toBe('new');
  });
});

describe('household income', () => {
  it('indexes each member with the factor of its tax year, rounds per member and sums', () => {
    const n = norms(2025); // 2024 → 1.041301, 2023 → 1.127944
    const { members, householdIncomeCents } = householdIncome(n, [
      fig({ memberId: 'a', taxYear: 2024, incomeCents: 3_000_000 }),
      fig({ memberId: 'b', taxYear: 2023, incomeCents: 1_234_567 }),
    ]);
    expect(members.map((m) => m.indexedIncomeCents)).toEqual([3_123_903, 1_392_522]);
    expect(members.map((m) => m.indexationFactor)).toEqual(['1.041301', '1.127944']);
    expect(householdIncomeCents).toBe(3_123_903 + 1_392_522);
  });
  it('refuses a tax year without a factor', () => {
    expect(() => householdIncome(norms(2025), [fig({ taxYear: 2019 })])).toThrow('no indexation factor');
  });
});
