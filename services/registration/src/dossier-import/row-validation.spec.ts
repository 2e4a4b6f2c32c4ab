import { DossierRecord, REQUIRED_COLUMNS } from './dossier-csv';
import {
  LiveDossierRow,
  normalisePhone,
  normalisePostcode,
  parseHousehold,
  parseIsoDate,
  RowContext,
  validateRow,
} from './row-validation';

const org = '11111111-1111-4111-8111-111111111111';
const ctx: RowContext = { source: 'woonnet', today: '2026-01-15', organisationExists: (id) => id === org };
const valid = (over: DossierRecord = {}): DossierRecord => ({
  source_system: 'woonnet',
  dossier_number: 'WN-001',
  surname_prefix: 'de',
  surname: 'Vries',
  birth_date: '1985-02-28',
  gender_marker: 'v',
  postcode: '1234 ab',
  house_number: '7',
  house_number_addition: 'bis',
  email: 'a.devries@example.nl',
  phone: '06-1234 5678',
  registration_date: '2010-09-01',
  organisation_id: org,
  ...over,
});
const reasons = (r: DossierRecord) => {
  const v = validateRow(r, ctx);
  return v.ok ? [] : v.reasons;
};

describe('normalisation', () => {
  it.each([
    ['1234 AB', '1234AB'],
    ['1234ab', '1234AB'],
    [' 1234  aB ', '1234AB'],
    ['0123 AB', null],
    ['1234 A', null],
    ['', null],
  ])('postcode %p → %p', (input, out) => {
    expect(normalisePostcode(input)).toBe(out);
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2023-02-29', null],
    ['2024-13-01', null],
    ['01-02-2024', null],
  ])('date %p → %p', (input, out) => {
    expect(parseIsoDate(input)).toBe(out);
  });

  it('phone keeps digits and a leading +', () => {
    expect(normalisePhone('+31 (0)6-12 34')).toBe('+310612' + '34');
    expect(normalisePhone('call me')).toBeNull();
  });
});

describe('validateRow', () => {
  it('accepts and normalises a valid row', () => {
    const v = validateRow(valid(), ctx);
    expect(v.ok).toBe(true);
    const row = (v as { row: LiveDossierRow }).row;
    expect(row).toMatchObject({
      deleted: false,
      dossierNumber: 'WN-001',
      postcode: '1234AB',
      genderMarker: 'V',
      houseNumber: 7,
      phone: '0612345678',
    });
    expect(row.rowHash).toHaveLength(32);
  });

  it('accepts a row without optional columns', () => {
    const required: DossierRecord = {};
    for (const column of REQUIRED_COLUMNS) required[column] = valid()[column];
    expect(validateRow(required, ctx).ok).toBe(true);
  });

  it('rejects a field with a control character (a NUL byte is a row rejection, not a database error)', () => {
    expect(reasons(valid({ surname: 'Vr\u0000ies' }))).toEqual(['surname: contains control characters']);
    expect(reasons(valid({ email: 'a\u001b@example.nl' }))).toEqual(['email: contains control characters']);
    expect(reasons(valid({ dossier_number: 'WN\u0000' }))).toEqual([
      'dossier_number: contains control characters',
    ]);
  });

  it('collects every reason, naming the column but never the value', () => {
    const r = reasons(
      valid({
        surname: ' ',
        birth_date: '1985-02-30',
        postcode: '123',
        house_number: '7a',
        gender_marker: 'F',
        email: 'nope',
        registration_date: '2030-01-01',
        organisation_id: '22222222-2222-4222-8222-222222222222',
      }),
    );
    expect(r.map((x) => x.split(':')[0])).toEqual([
      'surname',
      'birth_date',
      'gender_marker',
      'postcode',
      'house_number',
      'email',
      'registration_date',
      'organisation_id',
    ]);
    expect(r.join(' ')).not.toContain('nope');
  });

  it('rejects a registration date before the birth date and a row of another source', () => {
    expect(reasons(valid({ registration_date: '1980-01-01' }))).toEqual([
      'registration_date: before the birth date',
    ]);
    expect(reasons(valid({ source_system: 'other' }))).toEqual([
      'source_system: differs from the source of this load',
    ]);
  });

  it('a deletion row needs only the dossier number', () => {
    const v = validateRow({ dossier_number: 'WN-9', deleted: 'ja' }, ctx);
    expect(v).toMatchObject({ ok: true, row: { deleted: true, dossierNumber: 'WN-9' } });
    expect(reasons({ dossier_number: '', deleted: '1' })).toEqual(['dossier_number: required']);
    expect(reasons(valid({ deleted: 'maybe' }))).toEqual([
      'deleted: must be empty, 0/1, true/false or ja/nee',
    ]);
  });

  it('the row hash ignores formatting that normalisation removes, and sees real changes', () => {
    const hash = (r: DossierRecord) =>
      (validateRow(r, ctx) as { row: LiveDossierRow }).row.rowHash.toString('hex');
    expect(hash(valid({ postcode: '1234AB', phone: '0612345678' }))).toBe(hash(valid()));
    expect(hash(valid({ email: 'new@example.nl' }))).not.toBe(hash(valid()));
  });
});

describe('the household column (issue 16 item 14)', () => {
  it('reads members as RELATION|prefix|surname|birth date separated by ;', () => {
    expect(parseHousehold(' partner|van der|Berg|1980-01-02 ; CHILD||Berg|2012-03-04', '2026-01-15')).toEqual(
      {
        members: [
          { relation: 'PARTNER', surnamePrefix: 'van der', surname: 'Berg', birthDate: '1980-01-02' },
          { relation: 'CHILD', surnamePrefix: null, surname: 'Berg', birthDate: '2012-03-04' },
        ],
        reasons: [],
      },
    );
  });

  it('is null when empty: the dossier says nothing about the household', () => {
    expect(parseHousehold(undefined, '2026-01-15')).toEqual({ members: null, reasons: [] });
    expect(parseHousehold('  ', '2026-01-15')).toEqual({ members: null, reasons: [] });
  });

  it('names each bad member by position and rule, never its values', () => {
    const { members, reasons: why } = parseHousehold(
      'COUSIN|x|Smit|1980-01-01;PARTNER||Smit|2030-01-01;CHILD|Smit',
      '2026-01-15',
    );
    expect(members).toBeNull();
    expect(why).toEqual([
      'household: member 1: relation must be PARTNER, CHILD, OTHER_ADULT or OTHER',
      'household: member 2: birth date required, a real date from 1900-01-01 to today',
      'household: member 3: must be RELATION|surname prefix|surname|birth date',
    ]);
    expect(why.join(' ')).not.toContain('Smit');
    // A number in a name field (a BSN in the wrong column) is refused, not stored.
    expect(parseHousehold('PARTNER|123456782|Smit|1980-01-01', '2026-01-15')).toEqual({
      members: null,
      reasons: ['household: member 1: names contain digits'],
    });
    expect(parseHousehold(Array(21).fill('CHILD||A|2010-01-01').join(';'), '2026-01-15').reasons).toEqual([
      'household: more than 20 members',
    ]);
  });

  it('rejects the row with a bad household, and changes the row hash only when a household is given', () => {
    expect(reasons(valid({ household: 'PARTNER||Berg' }))).toEqual([
      'household: member 1: must be RELATION|surname prefix|surname|birth date',
    ]);
    const plain = validateRow(valid(), ctx);
    const empty = validateRow(valid({ household: '' }), ctx);
    const listed = validateRow(valid({ household: 'PARTNER||Berg|1980-01-02' }), ctx);
    if (!plain.ok || !empty.ok || !listed.ok) throw new Error('expected valid rows');
    expect(empty.row.rowHash).toEqual(plain.row.rowHash);
    expect(listed.row.rowHash).not.toEqual(plain.row.rowHash);
    expect((listed.row as LiveDossierRow).household).toHaveLength(1);
  });
});
