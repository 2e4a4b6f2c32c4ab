import { usedIncomeRetainUntil } from './retention';

describe('usedIncomeRetainUntil (the same anchor as retention-cleanup USED_INCOME: decision year in Amsterdam)', () => {
  it('keeps a statement until the end of the decision year plus the years', () => {
    expect(usedIncomeRetainUntil(new Date('2026-06-15T10:00:00Z'), 2)).toBe('2028-12-31');
    expect(usedIncomeRetainUntil(new Date('2026-06-15T10:00:00Z'), 0)).toBe('2026-12-31');
  });

  it('takes the year in Amsterdam: 31 December 23:30 UTC is already the next year there', () => {
    expect(usedIncomeRetainUntil(new Date('2026-12-31T22:59:59Z'), 2)).toBe('2028-12-31');
    expect(usedIncomeRetainUntil(new Date('2026-12-31T23:00:00Z'), 2)).toBe('2029-12-31');
  });
});
