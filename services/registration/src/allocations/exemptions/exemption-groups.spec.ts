import { ExemptionGroupSymbols } from '@divit/contracts';
import file from './exemption-groups.json';
import { EXEMPTION_GROUPS, exemptionRefusal, parseExemptionGroups } from './exemption-groups';

describe('exemption groups as data (issue 16 item 4)', () => {
  it('the shipped file covers every contract symbol once, each citing its source', () => {
    expect(EXEMPTION_GROUPS.map((g) => g.code).sort()).toEqual([...ExemptionGroupSymbols].sort());
    for (const g of EXEMPTION_GROUPS) expect(g.source.length).toBeGreaterThan(10);
  });

  it('refuses a file with an unknown code, a missing symbol or a repeated one', () => {
    const groups = (file as { groups: Record<string, unknown>[] }).groups;
    expect(() =>
      parseExemptionGroups({ groups: [...groups, { ...groups[0], code: 'PENSIONERS' }] }),
    ).toThrow();
    expect(() => parseExemptionGroups({ groups: groups.slice(1) })).toThrow(/every ExemptionGroup symbol/);
    expect(() => parseExemptionGroups({ groups: [...groups, groups[0]] })).toThrow(/one entry per code/);
  });

  it('two students with study finance are covered, three are not; the other groups have no size bound', () => {
    expect(exemptionRefusal('STUDENTS_WITH_STUDY_FINANCE', 1, '2026-01-01')).toBeNull();
    expect(exemptionRefusal('STUDENTS_WITH_STUDY_FINANCE', 2, '2026-01-01')).toBeNull();
    expect(exemptionRefusal('STUDENTS_WITH_STUDY_FINANCE', 3, '2026-01-01')?.message).toMatch(/at most 2/);
    expect(exemptionRefusal('STATUS_HOLDER_FROM_COA', 6, '2026-01-01')).toBeNull();
    expect(exemptionRefusal('STUDENTS_FROM_ABROAD', 4, '2026-01-01')).toBeNull();
  });

  it('a group applies from its validFrom, and a bound comes from the data passed', () => {
    const custom = EXEMPTION_GROUPS.map((g) =>
      g.code === 'STUDENTS_FROM_ABROAD' ? { ...g, maxHouseholdSize: 1, validFrom: '2027-01-01' } : g,
    );
    expect(exemptionRefusal('STUDENTS_FROM_ABROAD', 1, '2026-12-31', custom)?.message).toMatch(
      /from 2027-01-01/,
    );
    expect(exemptionRefusal('STUDENTS_FROM_ABROAD', 2, '2027-01-01', custom)?.message).toMatch(/at most 1/);
    expect(exemptionRefusal('STUDENTS_FROM_ABROAD', 1, '2027-01-01', custom)).toBeNull();
  });
});
