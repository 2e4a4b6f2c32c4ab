import { addMonths, isAdultOn, todayInAmsterdam } from './calendar-date';

describe('isAdultOn', () => {
  it('is adult from the 18th birthday on, not the day before', () => {
    expect(isAdultOn('2008-03-01', '2026-02-28')).toBe(false);
    expect(isAdultOn('2008-03-01', '2026-03-01')).toBe(true);
    expect(isAdultOn('1970-12-31', '2026-01-01')).toBe(true);
    expect(isAdultOn('2015-06-15', '2026-06-15')).toBe(false);
  });

  it('someone born on 29 February comes of age on 1 March in a non-leap year', () => {
    expect(isAdultOn('2008-02-29', '2026-02-28')).toBe(false);
    expect(isAdultOn('2008-02-29', '2026-03-01')).toBe(true);
    expect(isAdultOn('2012-02-29', '2030-02-28')).toBe(false);
    expect(isAdultOn('2012-02-29', '2030-03-01')).toBe(true);
  });
});

describe('todayInAmsterdam', () => {
  it('uses the Amsterdam calendar day, not the UTC one', () => {
    // 23:30 UTC on 31 December is already 1 January in Amsterdam (UTC+1 in winter).
    expect(todayInAmsterdam(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
    // 22:30 UTC on 30 June is 00:30 on 1 July in Amsterdam (UTC+2 in summer).
    expect(todayInAmsterdam(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(todayInAmsterdam(new Date('2026-06-30T21:30:00Z'))).toBe('2026-06-30');
  });
});

describe('addMonths', () => {
  it('adds calendar months, clamping to the last day of a shorter month', () => {
    expect(addMonths('2026-12-06', 12)).toBe('2027-12-06');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29');
    expect(addMonths('2026-05-15', 0)).toBe('2026-05-15');
  });
});
