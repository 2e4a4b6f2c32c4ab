/**
 * The dossier import file format (see docs/dossier-import.md): UTF-8 CSV, comma separated, RFC 4180
 * quoting, a header line naming the columns (any order, names case-insensitive). Columns not listed
 * here make the whole file invalid, so a misspelt optional column is never silently ignored.
 */
export const DOSSIER_COLUMNS = [
  'source_system',
  'dossier_number',
  'surname_prefix',
  'surname',
  'birth_date',
  'gender_marker',
  'postcode',
  'house_number',
  'house_number_addition',
  'email',
  'phone',
  'registration_date',
  'organisation_id',
  'household',
  'deleted',
] as const;

export type DossierColumn = (typeof DOSSIER_COLUMNS)[number];

/** Columns every file must have. A row with `deleted` = true needs only `dossier_number`. */
export const REQUIRED_COLUMNS: readonly DossierColumn[] = [
  'dossier_number',
  'surname',
  'birth_date',
  'postcode',
  'house_number',
  'registration_date',
  'organisation_id',
];

/** Field values of one CSV record by column; a column missing from the header is `undefined`. */
export type DossierRecord = Partial<Record<DossierColumn, string>>;

export interface HeaderLayout {
  /** Position of each known column in a record, in header order. */
  readonly positions: readonly { column: DossierColumn; index: number }[];
  readonly width: number;
}

export class HeaderProblem extends Error {
  constructor(readonly problems: string[]) {
    super(`the header line is invalid: ${problems.join('; ')}`);
    this.name = 'HeaderProblem';
  }
}

const known = new Set<string>(DOSSIER_COLUMNS);

/** Checks the header line; throws HeaderProblem naming missing, unknown and repeated columns. */
export function readHeader(fields: readonly string[]): HeaderLayout {
  const problems: string[] = [];
  const seen = new Set<string>();
  const positions: { column: DossierColumn; index: number }[] = [];
  fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    // Only identifier-like names are echoed: a file without a header line would otherwise echo personal data.
    if (!known.has(name))
      problems.push(
        /^[a-z_]{1,40}$/.test(name) ? `unknown column "${name}"` : `unknown column at position ${index + 1}`,
      );
    else if (seen.has(name)) problems.push(`column "${name}" appears twice`);
    else positions.push({ column: name as DossierColumn, index });
    seen.add(name);
  });
  for (const column of REQUIRED_COLUMNS) if (!seen.has(column)) problems.push(`missing column "${column}"`);
  if (problems.length) throw new HeaderProblem(problems);
  return { positions, width: fields.length };
}

export function toRecord(layout: HeaderLayout, fields: readonly string[]): DossierRecord {
  const record: DossierRecord = {};
  for (const { column, index } of layout.positions) record[column] = fields[index];
  return record;
}
