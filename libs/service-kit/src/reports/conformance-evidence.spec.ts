import { conformanceEvidenceQuery, passesElevenTest, periodBounds } from './conformance-evidence';

describe('conformance evidence helpers (issue 16 item 9)', () => {
  it('the eleven-test accepts BSN-shaped numbers only', () => {
    expect(passesElevenTest('999999990')).toBe(true);
    expect(passesElevenTest('123456782')).toBe(true);
    expect(passesElevenTest('123456789')).toBe(false);
    expect(passesElevenTest('000000000')).toBe(false);
    expect(passesElevenTest('12345678')).toBe(false);
  });

  it('a period is from < to, at most two years, as UTC day bounds', () => {
    const organisationId = '3f2b8c1e-1234-4abc-9def-0123456789ab';
    expect(
      conformanceEvidenceQuery.safeParse({ organisationId, from: '2026-01-01', to: '2026-01-01' }).success,
    ).toBe(false);
    expect(
      conformanceEvidenceQuery.safeParse({ organisationId, from: '2024-01-01', to: '2026-06-01' }).success,
    ).toBe(false);
    expect(
      conformanceEvidenceQuery.safeParse({ organisationId, from: '2026-01-01', to: '2027-01-01' }).success,
    ).toBe(true);
    expect(periodBounds({ from: '2026-01-01', to: '2026-02-01' })).toEqual({
      from: new Date('2026-01-01T00:00:00.000Z'),
      to: new Date('2026-02-01T00:00:00.000Z'),
    });
  });
});
