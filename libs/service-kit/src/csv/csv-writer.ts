/**
 * The one CSV writer for files people open in a spreadsheet (finance exports, cost reports, deletion log,
 * import rejects): RFC 4180 quoting by csv-stringify, plus formula-injection escaping after the OWASP
 * "CSV Injection" guidance (https://owasp.org/www-community/attacks/CSV_Injection).
 *
 * Escaping rule: a TEXT cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or the
 * full-width `＝ ＋ － ＠`) gets a leading single quote, so a spreadsheet shows it as text instead of
 * evaluating it. Numbers stay numbers: a JavaScript number/bigint cell is never escaped, and neither is a
 * text cell that is exactly a plain decimal number (`-12.34`, as `euros()` writes amounts), which a
 * spreadsheet reads as a number, never as a formula. The quote is part of the cell's value; a program that
 * reads the file back sees `'=1+1` for a cell written as `=1+1`.
 */
import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify as stringifyStream } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number | bigint | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** A text cell as it must be written so that a spreadsheet never evaluates it (see the module comment). */
export function escapeFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_DECIMAL.test(text) ? `'${text}` : text;
}

export interface CsvWriteOptions {
  /** Record separator: `\n` (default) or `\r\n` (RFC 4180). */
  recordDelimiter?: '\n' | '\r\n';
}

const stringifyOptions = (options: CsvWriteOptions) => ({
  record_delimiter: options.recordDelimiter ?? '\n',
  quote_record_delimiter: true, // a lone CR or LF in a cell is quoted whatever the record separator
  cast: {
    string: (value: string) => escapeFormula(value),
    boolean: (value: boolean) => String(value),
  },
});

/** Rows (the header first, if any) as CSV text ending in a record separator. */
export function csvText(rows: readonly (readonly CsvCell[])[], options: CsvWriteOptions = {}): string {
  return stringify(
    rows.map((r) => [...r]),
    stringifyOptions(options),
  );
}

/**
 * Re-writes a CSV byte stream (e.g. PostgreSQL `COPY … TO STDOUT (FORMAT csv)`) with the same escaping: each
 * record is parsed (csv-parse) and written again (csv-stringify). Every cell of such a stream is text, so
 * the plain-decimal exemption is what keeps numbers unescaped. An error in the source or the parser
 * destroys the returned stream with that error.
 */
export function escapeCsvStream(source: Readable, options: CsvWriteOptions = {}): Readable {
  return pipeline(
    source,
    parse({ relax_column_count: true }),
    stringifyStream(stringifyOptions(options)),
    () => undefined, // errors reach the consumer through the returned (destroyed) stream
  );
}
