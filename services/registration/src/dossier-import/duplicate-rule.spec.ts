import {
  foldName,
  MergeableDossier,
  mergeDossiers,
  personKey,
  samePerson,
  surnameKey,
} from './duplicate-rule';

const org = '11111111-1111-4111-8111-111111111111';
const person = {
  organisationId: org,
  surnamePrefix: 'van der' as string | null,
  surname: 'Berg',
  birthDate: '1980-04-01',
  postcode: '1234AB',
  houseNumber: 12,
};
const dossier = (over: Partial<MergeableDossier> = {}): MergeableDossier => ({
  ...person,
  sourceSystem: 'woonnet',
  dossierNumber: 'D1',
  genderMarker: null,
  houseNumberAddition: null,
  email: null,
  phone: null,
  registrationDate: '2015-01-01',
  ...over,
});

describe('foldName / surnameKey', () => {
  it.each([
    ['Müller-Lüdenscheidt', 'mullerludenscheidt'],
    ["van 't Hof", 'vanthof'],
    ['  DE  Vries ', 'devries'],
    ['Çelik', 'celik'],
    ['Groß', 'gross'],
    ['YILMAZ', 'yilmaz'],
    ['Yılmaz', 'yilmaz'],
    ['Søren Łukasz', 'sorenlukasz'],
  ])('%s folds to %s', (input, folded) => {
    expect(foldName(input)).toBe(folded);
  });

  it('treats a prefix written in the surname field like a separate prefix', () => {
    expect(surnameKey('van der', 'Berg')).toBe(surnameKey(null, 'Van der Berg'));
    expect(surnameKey('van', 'Berg')).not.toBe(surnameKey('van der', 'Berg'));
  });
});

describe('samePerson (duplicate rule)', () => {
  it('ignores case, diacritics, spacing and punctuation in the name', () => {
    expect(samePerson(person, { ...person, surnamePrefix: null, surname: 'VAN DER BËRG' })).toBe(true);
  });

  it.each([
    ['another birth date', { birthDate: '1980-04-02' }],
    ['another postcode', { postcode: '1234AC' }],
    ['another house number', { houseNumber: 14 }],
    ['another surname', { surname: 'Bergh' }],
    ['another organisation', { organisationId: '22222222-2222-4222-8222-222222222222' }],
  ])('is a different person with %s', (_label, change) => {
    expect(samePerson(person, { ...person, ...change })).toBe(false);
  });

  it('stores a 32-byte key that is equal exactly when samePerson holds', () => {
    const a = personKey(person);
    expect(a).toHaveLength(32);
    expect(a.equals(personKey({ ...person, surname: 'BERG' }))).toBe(true);
    expect(a.equals(personKey({ ...person, houseNumber: 13 }))).toBe(false);
  });
});

describe('mergeDossiers (merge rule)', () => {
  it('keeps the earliest registration date and the leading dossier fields', () => {
    const merged = mergeDossiers([
      dossier({
        dossierNumber: 'B',
        registrationDate: '2019-03-01',
        surname: 'BERG',
        email: 'late@example.nl',
      }),
      dossier({ dossierNumber: 'A', registrationDate: '2012-06-15', surname: 'Berg' }),
    ]);
    expect(merged.registrationDate).toBe('2012-06-15');
    expect(merged.surname).toBe('Berg');
    // the leading dossier has no e-mail: the next one in order supplies it
    expect(merged.email).toBe('late@example.nl');
  });

  it('breaks ties on equal dates by source system, then dossier number (byte order)', () => {
    const merged = mergeDossiers([
      dossier({ sourceSystem: 'b-sys', dossierNumber: '1', phone: '0611111111' }),
      dossier({ sourceSystem: 'a-sys', dossierNumber: '9', phone: '0622222222' }),
      dossier({ sourceSystem: 'a-sys', dossierNumber: '10', phone: '0633333333' }),
    ]);
    expect(merged.phone).toBe('0633333333');
  });

  it('does not depend on the order the dossiers arrive in', () => {
    const ds = [
      dossier({ dossierNumber: 'x', registrationDate: '2020-01-01', genderMarker: 'V' }),
      dossier({ dossierNumber: 'y', registrationDate: '2018-01-01', houseNumberAddition: 'A' }),
      dossier({ dossierNumber: 'z', registrationDate: '2018-01-01', email: 'z@example.nl' }),
    ];
    expect(mergeDossiers([...ds].reverse())).toEqual(mergeDossiers(ds));
  });

  it('never moves an existing registration date later', () => {
    expect(mergeDossiers([dossier({ registrationDate: '2016-01-01' })], '2014-05-05').registrationDate).toBe(
      '2014-05-05',
    );
    expect(mergeDossiers([dossier({ registrationDate: '2013-01-01' })], '2014-05-05').registrationDate).toBe(
      '2013-01-01',
    );
  });
});
