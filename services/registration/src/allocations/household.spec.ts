import { composeHousehold } from './household';

describe('composeHousehold', () => {
  let n = 0;
  const ids = () => `id-${++n}`;
  beforeEach(() => {
    n = 0;
  });

  it('puts the home seeker first and derives adulthood on the lease start date', () => {
    const members = composeHousehold(
      '1990-01-01',
      [
        { surnamePrefix: 'van der', surname: 'Berg', birthDate: '1991-07-01' },
        { surname: 'Berg', birthDate: '2008-03-02' }, // turns 18 the day after the lease starts
        { surname: 'Berg', birthDate: '2008-03-01' }, // turns 18 on the lease start date
      ],
      '2026-03-01',
      ids,
    );
    expect(members.map((m) => [m.id, m.position, m.role, m.adult])).toEqual([
      ['id-1', 0, 'HOME_SEEKER', true],
      ['id-2', 1, 'CO_RESIDENT', true],
      ['id-3', 2, 'CO_RESIDENT', false],
      ['id-4', 3, 'CO_RESIDENT', true],
    ]);
  });

  it('keeps surname and birth date of adult co-residents only', () => {
    const [seeker, adult, child] = composeHousehold(
      '1990-01-01',
      [
        { surnamePrefix: 'de', surname: 'Vries', birthDate: '1985-05-05' },
        { surnamePrefix: 'de', surname: 'Vries', birthDate: '2020-05-05' },
      ],
      '2026-03-01',
      ids,
    );
    expect(seeker).toMatchObject({ surname: null, surnamePrefix: null, birthDate: null });
    expect(adult).toMatchObject({ surnamePrefix: 'de', surname: 'Vries', birthDate: '1985-05-05' });
    expect(child).toMatchObject({ adult: false, surname: null, surnamePrefix: null, birthDate: null });
  });

  it('a minor home seeker is not adult', () => {
    expect(composeHousehold('2010-01-01', [], '2026-03-01', ids)[0]?.adult).toBe(false);
  });

  it('gives every member a new pseudonym by default', () => {
    const a = composeHousehold('1990-01-01', [{ surname: 'Jansen', birthDate: '1990-01-01' }], '2026-03-01');
    const b = composeHousehold('1990-01-01', [{ surname: 'Jansen', birthDate: '1990-01-01' }], '2026-03-01');
    const all = [...a, ...b].map((m) => m.id);
    expect(new Set(all).size).toBe(4);
  });
});
