import { createHash } from 'node:crypto';
import { DossierRecord } from './dossier-csv';
import { personKey } from './duplicate-rule';

/** A household member as the dossier lists it (issue 16 item 14). */
export interface ImportedHouseholdMember {
  relation: 'PARTNER' | 'CHILD' | 'OTHER_ADULT' | 'OTHER';
  surnamePrefix: string | null;
  surname: string;
  birthDate: string;
}

export const MAX_HOUSEHOLD_MEMBERS = 20;
const RELATIONS = new Set(['PARTNER', 'CHILD', 'OTHER_ADULT', 'OTHER']);

/**
 * The `household` column: members separated by `;`, each `RELATION|surname prefix|surname|birth date`
 * (relation PARTNER, CHILD, OTHER_ADULT or OTHER; prefix may be empty), e.g.
 * `PARTNER|van der|Berg|1980-01-02;CHILD||Berg|2012-03-04`. Empty: the dossier says nothing about the household
 * (null: the registration's household is left as it is). Reasons name the member by position, never a value.
 */
export function parseHousehold(
  value: string | undefined,
  today: string,
): { members: ImportedHouseholdMember[] | null; reasons: string[] } {
  const text = (value ?? '').trim();
  if (text === '') return { members: null, reasons: [] };
  const parts = text.split(';');
  if (parts.length > MAX_HOUSEHOLD_MEMBERS)
    return { members: null, reasons: [`household: more than ${MAX_HOUSEHOLD_MEMBERS} members`] };
  const reasons: string[] = [];
  const members: ImportedHouseholdMember[] = [];
  parts.forEach((part, i) => {
    const at = `household: member ${i + 1}`;
    const fields = part.split('|');
    if (fields.length !== 4) {
      reasons.push(`${at}: must be RELATION|surname prefix|surname|birth date`);
      return;
    }
    const relation = cleanText(fields[0]).toUpperCase();
    const surnamePrefix = cleanText(fields[1]) || null;
    const surname = cleanText(fields[2]);
    const birthDate = parseIsoDate(fields[3]);
    const before = reasons.length;
    if (!RELATIONS.has(relation))
      reasons.push(`${at}: relation must be PARTNER, CHILD, OTHER_ADULT or OTHER`);
    if (surnamePrefix !== null && surnamePrefix.length > 20)
      reasons.push(`${at}: surname prefix longer than 20 characters`);
    // Names have no digits: a number here (a BSN typed into the wrong field) is refused, never stored.
    if (/\d/.test(surnamePrefix ?? '') || /\d/.test(surname)) reasons.push(`${at}: names contain digits`);
    if (surname === '' || !/\p{L}/u.test(surname)) reasons.push(`${at}: surname required`);
    else if (surname.length > 200) reasons.push(`${at}: surname longer than 200 characters`);
    if (birthDate === null || birthDate < EARLIEST_BIRTH || birthDate > today)
      reasons.push(`${at}: birth date required, a real date from 1900-01-01 to today`);
    if (reasons.length === before && birthDate !== null)
      members.push({
        relation: relation as ImportedHouseholdMember['relation'],
        surnamePrefix,
        surname,
        birthDate,
      });
  });
  return reasons.length ? { members: null, reasons } : { members, reasons };
}

/** A valid, normalised dossier row, ready for the staging table. */
export interface LiveDossierRow {
  deleted: false;
  dossierNumber: string;
  organisationId: string;
  surnamePrefix: string | null;
  surname: string;
  birthDate: string;
  genderMarker: 'M' | 'V' | 'X' | null;
  postcode: string;
  houseNumber: number;
  houseNumberAddition: string | null;
  email: string | null;
  phone: string | null;
  registrationDate: string;
  /** Null: the file says nothing about the household (the registration's is left as it is). */
  household: ImportedHouseholdMember[] | null;
  personKey: Buffer;
  rowHash: Buffer;
}

/** A removal: the source system no longer has this dossier (delta loads). */
export interface DeletedDossierRow {
  deleted: true;
  dossierNumber: string;
  rowHash: Buffer;
}

export type DossierRow = LiveDossierRow | DeletedDossierRow;

export type RowVerdict =
  { ok: true; row: DossierRow } | { ok: false; reasons: string[]; dossierNumber: string | null };

export interface RowContext {
  /** The load's source system; a non-empty `source_system` field must equal it. */
  source: string;
  /** Today (YYYY-MM-DD): no birth or registration date after it. */
  today: string;
  organisationExists(id: string): boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const POSTCODE = /^([1-9]\d{3})([A-Z]{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?\d{6,15}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const TRUE_WORDS = new Set(['1', 'true', 'j', 'ja', 'y', 'yes']);
const FALSE_WORDS = new Set(['', '0', 'false', 'n', 'nee', 'no']);
const EARLIEST_BIRTH = '1900-01-01';

/** Trimmed text with inner runs of white space collapsed; '' for a missing field. */
export function cleanText(value: string | undefined): string {
  return (value ?? '').trim().replace(/\s+/g, ' ');
}

/** "1234 ab", " 1234AB " → "1234AB"; null when it is not a Dutch postcode. */
export function normalisePostcode(value: string | undefined): string | null {
  const compact = (value ?? '').replace(/\s+/g, '').toUpperCase();
  return POSTCODE.test(compact) ? compact : null;
}

/** A real calendar date in YYYY-MM-DD, else null. */
export function parseIsoDate(value: string | undefined): string | null {
  const text = (value ?? '').trim();
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
    ? text
    : null;
}

/** "06-1234 5678" → "0612345678"; null when not 6–15 digits with an optional leading +. */
export function normalisePhone(value: string): string | null {
  const compact = value.replace(/[\s().-]/g, '');
  return PHONE.test(compact) ? compact : null;
}

const SEP = '\u001f';

function hashRow(parts: readonly (string | number | null)[]): Buffer {
  return createHash('sha256')
    .update(parts.map((p) => (p === null ? '\u0000' : String(p))).join(SEP))
    .digest();
}

/**
 * Validates and normalises one record. Reasons name the column and the rule, never the value (they end
 * up in files and problem documents). All reasons of a row are collected, not only the first.
 */
export function validateRow(record: DossierRecord, ctx: RowContext): RowVerdict {
  const reasons: string[] = [];
  const source = cleanText(record.source_system);
  if (source !== '' && source !== ctx.source)
    reasons.push('source_system: differs from the source of this load');

  const dossierNumber = cleanText(record.dossier_number);
  if (dossierNumber === '') reasons.push('dossier_number: required');
  else if (dossierNumber.length > 50) reasons.push('dossier_number: longer than 50 characters');
  else if (CONTROL.test(dossierNumber)) reasons.push('dossier_number: contains control characters');
  const dossierOrNull = dossierNumber === '' || reasons.length > 0 ? null : dossierNumber;
  // Control characters (NUL, escape, …) are never data: the row is rejected, naming each such column.
  for (const [column, value] of Object.entries(record))
    if (column !== 'dossier_number' && typeof value === 'string' && CONTROL.test(cleanText(value)))
      reasons.push(`${column}: contains control characters`);

  const deletedText = cleanText(record.deleted).toLowerCase();
  let deleted = false;
  if (TRUE_WORDS.has(deletedText)) deleted = true;
  else if (!FALSE_WORDS.has(deletedText)) reasons.push('deleted: must be empty, 0/1, true/false or ja/nee');

  if (deleted) {
    if (reasons.length) return { ok: false, reasons, dossierNumber: dossierOrNull };
    return { ok: true, row: { deleted: true, dossierNumber, rowHash: hashRow(['deleted', dossierNumber]) } };
  }

  const surnamePrefix = cleanText(record.surname_prefix) || null;
  if (surnamePrefix !== null && surnamePrefix.length > 20)
    reasons.push('surname_prefix: longer than 20 characters');
  const surname = cleanText(record.surname);
  if (surname === '') reasons.push('surname: required');
  else if (surname.length > 200) reasons.push('surname: longer than 200 characters');
  else if (!/\p{L}/u.test(surname)) reasons.push('surname: contains no letter');

  const birthDate = parseIsoDate(record.birth_date);
  if (birthDate === null) reasons.push('birth_date: required, a real date as YYYY-MM-DD');
  else if (birthDate < EARLIEST_BIRTH || birthDate > ctx.today)
    reasons.push('birth_date: not between 1900-01-01 and today');

  const genderText = cleanText(record.gender_marker).toUpperCase();
  let genderMarker: LiveDossierRow['genderMarker'] = null;
  if (genderText === 'M' || genderText === 'V' || genderText === 'X') genderMarker = genderText;
  else if (genderText !== '') reasons.push('gender_marker: must be M, V or X (or empty)');

  const postcode = normalisePostcode(record.postcode);
  if (postcode === null) reasons.push('postcode: required, a Dutch postcode like 1234 AB');

  const houseText = cleanText(record.house_number);
  const houseNumber = /^\d{1,5}$/.test(houseText) ? Number(houseText) : NaN;
  if (!(houseNumber >= 1)) reasons.push('house_number: required, a whole number from 1 to 99999');

  const houseNumberAddition = cleanText(record.house_number_addition) || null;
  if (houseNumberAddition !== null && houseNumberAddition.length > 10)
    reasons.push('house_number_addition: longer than 10 characters');

  const emailText = cleanText(record.email);
  const email = emailText === '' ? null : emailText;
  if (email !== null && (email.length > 254 || !EMAIL.test(email)))
    reasons.push('email: not an e-mail address');

  const phoneText = cleanText(record.phone);
  const phone = phoneText === '' ? null : normalisePhone(phoneText);
  if (phoneText !== '' && phone === null)
    reasons.push('phone: not a phone number (6 to 15 digits, optional +)');

  const registrationDate = parseIsoDate(record.registration_date);
  if (registrationDate === null) reasons.push('registration_date: required, a real date as YYYY-MM-DD');
  else if (registrationDate > ctx.today) reasons.push('registration_date: in the future');
  else if (birthDate !== null && registrationDate < birthDate)
    reasons.push('registration_date: before the birth date');

  const household = parseHousehold(record.household, ctx.today);
  reasons.push(...household.reasons);

  const organisationId = cleanText(record.organisation_id).toLowerCase();
  if (!UUID.test(organisationId)) reasons.push('organisation_id: required, a UUID');
  else if (!ctx.organisationExists(organisationId)) reasons.push('organisation_id: unknown organisation');

  if (reasons.length || birthDate === null || postcode === null || registrationDate === null)
    return { ok: false, reasons, dossierNumber: dossierOrNull };

  const identity = { organisationId, surnamePrefix, surname, birthDate, postcode, houseNumber };
  return {
    ok: true,
    row: {
      deleted: false,
      dossierNumber,
      ...identity,
      genderMarker,
      houseNumberAddition,
      email,
      phone,
      registrationDate,
      household: household.members,
      personKey: personKey(identity),
      rowHash: hashRow([
        'live',
        dossierNumber,
        organisationId,
        surnamePrefix,
        surname,
        birthDate,
        genderMarker,
        postcode,
        houseNumber,
        houseNumberAddition,
        email,
        phone,
        registrationDate,
        // Only when given: rows of files without the column keep the hashes they had (a re-run changes nothing).
        ...(household.members === null ? [] : [JSON.stringify(household.members)]),
      ]),
    },
  };
}
