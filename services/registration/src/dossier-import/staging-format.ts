import { DossierRecord } from './dossier-csv';
import { DossierRow } from './row-validation';

/**
 * Lines for `COPY dossier_import_staging FROM STDIN` (PostgreSQL text format). Column order must match
 * STAGING_COLUMNS, which the repository uses to create the staging table.
 */
export const STAGING_COLUMNS = [
  ['line_number', 'integer'],
  ['rejected', 'boolean'],
  ['reasons', 'text'],
  ['record', 'jsonb'],
  ['dossier_number', 'text'],
  ['deleted', 'boolean'],
  ['organisation_id', 'uuid'],
  ['surname_prefix', 'text'],
  ['surname', 'text'],
  ['birth_date', 'date'],
  ['gender_marker', 'text'],
  ['postcode', 'text'],
  ['house_number', 'integer'],
  ['house_number_addition', 'text'],
  ['email', 'text'],
  ['phone', 'text'],
  ['registration_date', 'date'],
  ['person_key', 'bytea'],
  ['row_hash', 'bytea'],
  ['household', 'jsonb'],
] as const;

const NULL = '\\N';

/** Escapes one value for COPY text format (backslash, tab, newline, carriage return). */
export function copyText(value: string | null): string {
  if (value === null) return NULL;
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : value;
}

const bytea = (b: Buffer): string => `\\\\x${b.toString('hex')}`;

export function acceptedLine(lineNumber: number, row: DossierRow): string {
  if (row.deleted) {
    return `${lineNumber}\tf\t${NULL}\t${NULL}\t${copyText(row.dossierNumber)}\tt${`\t${NULL}`.repeat(11)}\t${NULL}\t${bytea(row.rowHash)}\t${NULL}\n`;
  }
  return (
    [
      lineNumber,
      'f',
      NULL,
      NULL,
      copyText(row.dossierNumber),
      'f',
      row.organisationId,
      copyText(row.surnamePrefix),
      copyText(row.surname),
      row.birthDate,
      row.genderMarker ?? NULL,
      row.postcode,
      row.houseNumber,
      copyText(row.houseNumberAddition),
      copyText(row.email),
      copyText(row.phone),
      row.registrationDate,
      bytea(row.personKey),
      bytea(row.rowHash),
      row.household === null ? NULL : copyText(JSON.stringify(row.household)),
    ].join('\t') + '\n'
  );
}

/** NUL cannot be stored in PostgreSQL text or jsonb: a rejected row keeps U+FFFD in its place. */
function storable(record: DossierRecord | Record<string, string>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(record))
    out[key] = typeof value === 'string' ? value.split('\u0000').join('\uFFFD') : value;
  return out;
}

export function rejectedLine(
  lineNumber: number,
  reasons: readonly string[],
  record: DossierRecord | Record<string, string>,
  dossierNumber: string | null,
): string {
  return `${lineNumber}\tt\t${copyText(reasons.join('; '))}\t${copyText(JSON.stringify(storable(record)))}\t${copyText(dossierNumber?.split('\u0000').join('\uFFFD') ?? null)}${`\t${NULL}`.repeat(15)}\n`;
}
