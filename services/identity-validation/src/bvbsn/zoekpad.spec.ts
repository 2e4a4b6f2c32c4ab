import { Bsn } from '../bsn/bsn';
import { BvBsnSimulator } from './bvbsn.simulator';
import { toBvBsnGender, zoekpadenFor } from './zoekpad';

describe('zoekpad selection', () => {
  it('new registration: zoekpad 2, then 1', () => {
    expect(zoekpadenFor('BSN_AT_REGISTRATION')).toEqual([2, 1]);
  });
  it('existing registration: zoekpad 2 only', () => {
    expect(zoekpadenFor('BSN_FOR_EXISTING_REGISTRATION')).toEqual([2]);
  });
  it('co-resident at allocation: zoekpad 2 only', () => {
    expect(zoekpadenFor('BSN_AND_INCOME_AT_ALLOCATION')).toEqual([2]);
  });
});

describe('gender marker for BV BSN', () => {
  it('sends X as O, keeps M and V, unknown as null', () => {
    expect(toBvBsnGender('X')).toBe('O');
    expect(toBvBsnGender('x')).toBe('O');
    expect(toBvBsnGender('M')).toBe('M');
    expect(toBvBsnGender('V')).toBe('V');
    expect(toBvBsnGender(null)).toBeNull();
  });
});

describe('BV BSN SIMULATOR', () => {
  const sim = () => new BvBsnSimulator({ latencyMs: 0, errorRate: 0, failNextCalls: 0 });
  const bsn = Bsn.parse('999990019')!;

  it('zoekpad 2 matches BSN, surname, birth date and gender', async () => {
    await expect(
      sim().check({ zoekpad: 2, bsn, surname: 'testhuizen', birthDate: '1990-04-12', gender: 'V' }),
    ).resolves.toEqual({
      found: true,
      person: { surnamePrefix: 'van der', surname: 'Testhuizen', birthDate: '1990-04-12' },
    });
    await expect(
      sim().check({ zoekpad: 2, bsn, surname: 'Testhuis', birthDate: '1990-04-12', gender: 'V' }),
    ).resolves.toEqual({ found: false });
  });

  it('zoekpad 1 matches on address and returns the registered (corrected) surname', async () => {
    const answer = await sim().check({
      zoekpad: 1,
      bsn,
      birthDate: '1990-04-12',
      gender: 'V',
      postcode: '1234 ab',
      houseNumber: 10,
      houseNumberAddition: null,
    });
    expect(answer).toEqual({
      found: true,
      person: { surnamePrefix: 'van der', surname: 'Testhuizen', birthDate: '1990-04-12' },
    });
  });

  it('a person with gender X is found with O', async () => {
    const x = Bsn.parse('999990044')!;
    await expect(
      sim().check({
        zoekpad: 2,
        bsn: x,
        surname: 'Proefpersoon',
        birthDate: '2000-01-31',
        gender: toBvBsnGender('X'),
      }),
    ).resolves.toMatchObject({ found: true });
  });

  it('scripted technical errors', async () => {
    const s = sim();
    s.behaviour.failNextCalls = 1;
    await expect(
      s.check({ zoekpad: 2, bsn, surname: 'Testhuizen', birthDate: '1990-04-12', gender: 'V' }),
    ).rejects.toThrow(/SIMULATOR/);
    await expect(
      s.check({ zoekpad: 2, bsn, surname: 'Testhuizen', birthDate: '1990-04-12', gender: 'V' }),
    ).resolves.toMatchObject({ found: true });
  });
});
