import { bsnLikeFields, claimFormSchema, conditionFailures, isBsnLike } from './claim-form';

const valid = {
  partyId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  caseReference: 'WK-2026-0017',
  tenancyEnd: 'EVICTION',
  tenancyEndedOn: '2026-05-31',
  amountCents: 350_000,
  depositCents: 90_000,
  categories: [
    { category: 'RENT_LOSS', amountCents: 200_000 },
    { category: 'REPAIR_MUTATION', amountCents: 150_000 },
  ],
  documents: ['DMS/2026/4411', 'opname-2026-05-31.pdf'],
};

describe('guarantee fund claim form', () => {
  it('accepts the complete form and finds no failed condition', () => {
    const form = claimFormSchema.parse(valid);
    expect(conditionFailures(form)).toEqual([]);
  });

  it.each([
    ['a name as case reference', { caseReference: 'Jan Jansen' }, 'caseReference'],
    ['a BSN as case reference', { caseReference: '123456782' }, 'caseReference'],
    ['categories that do not add up', { amountCents: 350_001 }, 'amountCents'],
    ['no documents', { documents: [] }, 'documents'],
    ['a document reference with spaces', { documents: ['brief van Jan Jansen'] }, 'documents.0'],
    [
      'a category twice',
      {
        categories: [
          { category: 'LEGAL', amountCents: 175_000 },
          { category: 'LEGAL', amountCents: 175_000 },
        ],
      },
      'categories.1.category',
    ],
    ['an unknown field (a name)', { clientName: 'Jan' }, ''],
    [
      'an amount beyond the limit',
      { amountCents: 100_000_001, categories: [{ category: 'LEGAL', amountCents: 100_000_001 }] },
      'amountCents',
    ],
  ])('refuses %s', (_what, change, path) => {
    const result = claimFormSchema.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
    if (!result.success && path) expect(result.error.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it("evaluates the agreement's conditions: eviction or departure, and more than the deposit", () => {
    expect(conditionFailures({ tenancyEnd: 'OTHER', amountCents: 100, depositCents: 100 })).toEqual([
      'TENANCY_NOT_ENDED_BY_EVICTION_OR_DEPARTURE',
      'AMOUNT_NOT_ABOVE_DEPOSIT',
    ]);
    expect(conditionFailures({ tenancyEnd: 'DEPARTURE', amountCents: 101, depositCents: 100 })).toEqual([]);
  });

  it('finds BSN-like numbers (eleven-test) in free text, also written with dots or spaces, not in case references', () => {
    expect(isBsnLike('123456782')).toBe(true);
    expect(isBsnLike('123456789')).toBe(false);
    expect(
      bsnLikeFields({
        a: 'see 1234.56.782',
        b: 'bsn 123 456 782',
        c: 'WK-2026-0017',
        d: 'invoice 123456789',
      }),
    ).toEqual(['a', 'b']);
  });
});
