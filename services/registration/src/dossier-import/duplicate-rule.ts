import { createHash } from 'node:crypto';

/**
 * The duplicate ("same person") rule and the merge rule of the dossier import. The SQL merge in
 * dossier-import.repository.ts implements the merge rule set-based; the integration test checks that
 * it agrees with `mergeDossiers` below. Rules, in words (docs/dossier-import.md has the rationale):
 *
 * Same person: two live dossiers are the same person when, within ONE organisation, they have
 *   1. the same surname key: surname prefix + surname, compared without case, diacritics, spaces and
 *      punctuation ("van der Berg" = "Van der Berg" = prefix "van der" + "Berg" = "vanderberg"; "Yılmaz" =
 *      "YILMAZ"; "Groß" = "Gross");
 *   2. the same birth date; and
 *   3. the same address: postcode (normalised "1234AB") and house number. The addition is NOT
 *      compared: sources write "12-A", "12 a", "12A" or nothing for the same door.
 *
 * Merge: one registration per person. Its registration_date is the EARLIEST of its dossiers' dates
 *   (and never later than the date it already has). The other fields come from the leading dossier,
 *   the one with the earliest registration date (ties: source_system, then dossier_number, ascending).
 *   Optional contact and identification fields (gender marker, house number addition, email, phone)
 *   that the leading dossier lacks are taken from the next dossier in that order that has them.
 */

// Letters that Unicode decomposition leaves alone but sources write both ways ("Yılmaz" / "YILMAZ").
const FOLD: Record<string, string> = { ı: 'i', ø: 'o', ł: 'l', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th' };

/**
 * Name folded for comparison: Unicode NFKD, marks removed, lower case, the letters of FOLD spelled out,
 * only letters and digits kept.
 */
export function foldName(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ıøłđßæœþ]/g, (c) => FOLD[c] ?? c)
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export function surnameKey(surnamePrefix: string | null, surname: string): string {
  return foldName(`${surnamePrefix ?? ''}${surname}`);
}

export interface PersonIdentity {
  organisationId: string;
  surnamePrefix: string | null;
  surname: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** Normalised, e.g. "1234AB". */
  postcode: string;
  houseNumber: number;
}

const SEP = '\u001f';

/** The duplicate key as text (for tests and explanations); never stored. */
export function personKeyText(p: PersonIdentity): string {
  return [
    p.organisationId,
    surnameKey(p.surnamePrefix, p.surname),
    p.birthDate,
    p.postcode,
    p.houseNumber,
  ].join(SEP);
}

/** SHA-256 of the duplicate key: what the concordance stores and indexes. */
export function personKey(p: PersonIdentity): Buffer {
  return createHash('sha256').update(personKeyText(p)).digest();
}

export function samePerson(a: PersonIdentity, b: PersonIdentity): boolean {
  return personKeyText(a) === personKeyText(b);
}

export interface MergeableDossier extends PersonIdentity {
  sourceSystem: string;
  dossierNumber: string;
  genderMarker: string | null;
  houseNumberAddition: string | null;
  email: string | null;
  phone: string | null;
  registrationDate: string;
}

export interface MergedRegistration {
  organisationId: string;
  surnamePrefix: string | null;
  surname: string;
  birthDate: string;
  genderMarker: string | null;
  postcode: string;
  houseNumber: number;
  houseNumberAddition: string | null;
  email: string | null;
  phone: string | null;
  registrationDate: string;
}

/** The leading order: earliest registration date, then source system, then dossier number. */
export function leadingOrder(a: MergeableDossier, b: MergeableDossier): number {
  return (
    cmp(a.registrationDate, b.registrationDate) ||
    cmp(a.sourceSystem, b.sourceSystem) ||
    cmp(a.dossierNumber, b.dossierNumber)
  );
}

// Byte-wise comparison, as PostgreSQL's COLLATE "C" used by the SQL merge.
function cmp(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/**
 * One registration from the live dossiers of one person. `currentDate` is the registration date the
 * registration already has (if it exists): a merge never moves it later.
 */
export function mergeDossiers(
  dossiers: readonly MergeableDossier[],
  currentDate?: string,
): MergedRegistration {
  if (dossiers.length === 0) throw new Error('mergeDossiers needs at least one dossier');
  const ordered = [...dossiers].sort(leadingOrder);
  const lead = ordered[0] as MergeableDossier;
  const firstPresent = <K extends 'genderMarker' | 'houseNumberAddition' | 'email' | 'phone'>(key: K) =>
    ordered.find((d) => d[key] !== null)?.[key] ?? null;
  const earliest = lead.registrationDate;
  return {
    organisationId: lead.organisationId,
    surnamePrefix: lead.surnamePrefix,
    surname: lead.surname,
    birthDate: lead.birthDate,
    genderMarker: firstPresent('genderMarker'),
    postcode: lead.postcode,
    houseNumber: lead.houseNumber,
    houseNumberAddition: firstPresent('houseNumberAddition'),
    email: firstPresent('email'),
    phone: firstPresent('phone'),
    registrationDate: currentDate !== undefined && currentDate < earliest ? currentDate : earliest,
  };
}
