/**
 * Invoice files (pure): parsing CSV and JSON into invoices, and the checks that need no database.
 *
 * CSV: a header and one row per invoice line; the invoice fields repeat on each line of the invoice:
 *   invoiceNumber,issuer,payerOrganisationId,periodStart,periodEnd,currency,unit,count,amountCents,totalCents,creditsInvoiceNumber
 * JSON: `{ "invoices": [ { invoiceNumber, issuer, payerOrganisationId, periodStart, periodEnd, currency,
 *   totalCents, creditsInvoiceNumber?, lines: [ { unit, count, amountCents } ] } ] }` (or one invoice, or an array).
 * Amounts are integer euro cents. A credit invoice (creditsInvoiceNumber set) lists, with positive figures,
 * what it takes back from the invoice it corrects.
 */
import { parse } from 'csv-parse/sync';
import { isValidIsoDate, daysBetween } from '../common/dates';

export const UNITS = ['DIGID_LOGIN', 'DATA_SHARING'] as const;
export type Unit = (typeof UNITS)[number];

export interface InvoiceLine {
  unit: Unit;
  count: number;
  amountCents: number;
}

export interface ParsedInvoice {
  invoiceNumber: string;
  issuer: string;
  payerOrganisationId: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  totalCents: number;
  creditsInvoiceNumber: string | null;
  lines: InvoiceLine[];
  /** Where it came from: CSV line numbers (1 = header) or JSON index. */
  origin: { lines: number[]; index: number };
}

export interface ImportProblem {
  /** CSV line number (the header is line 1), or null for JSON. */
  line: number | null;
  invoiceNumber: string | null;
  /** The field, e.g. `amountCents` or (JSON) `invoices[0].lines[1].amountCents`. */
  field: string;
  message: string;
}

export const CSV_HEADER = [
  'invoiceNumber',
  'issuer',
  'payerOrganisationId',
  'periodStart',
  'periodEnd',
  'currency',
  'unit',
  'count',
  'amountCents',
  'totalCents',
  'creditsInvoiceNumber',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NUMBER = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const ISSUER = /^[A-Z0-9_-]{2,50}$/;
const MAX_CENTS = 1_000_000_000_000;

/** At most this many problems are listed in a report; `problemsTotal` counts them all. */
export const MAX_REPORTED_PROBLEMS = 1000;

/**
 * The problems of one import: the first `cap` are kept (in the order found), all are counted. A file of 200 000
 * bad lines yields a report of 1 000 problems and a count, not a list too large to sort, spread or send.
 */
export class ProblemList {
  readonly items: ImportProblem[] = [];
  total = 0;

  constructor(readonly cap = MAX_REPORTED_PROBLEMS) {}

  static of(...problems: ImportProblem[]): ProblemList {
    const list = new ProblemList();
    list.pushAll(problems);
    return list;
  }

  push(problem: ImportProblem): void {
    this.total++;
    if (this.items.length < this.cap) this.items.push(problem);
  }

  /** Adds problems one by one (never `push(...list)`: spreading a long list overflows the call stack). */
  pushAll(problems: Iterable<ImportProblem>): void {
    for (const p of problems) this.push(p);
  }

  /** Adds every problem of `other` (its items and the count of those it did not keep). */
  addAll(other: ProblemList): void {
    for (const p of other.items) this.push(p);
    this.total += other.total - other.items.length;
  }

  get length(): number {
    return this.total;
  }

  /** The kept problems in line order. */
  sorted(): ImportProblem[] {
    return [...this.items].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
}

/** Parses CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks) into records with their first line. */
export function csvRecords(text: string): { cells: string[]; line: number }[] {
  const rows = parse(text.replace(/\r\n?/g, '\n'), {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  return rows.map(({ record, info }) => ({
    cells: record,
    // info.lines is the record's last line; a quoted line break inside it moves its first line up.
    line: info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0),
  }));
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const intOf = (raw: string): number | null => (/^-?\d+$/.test(raw) ? Number(raw) : null);

/** Parses a CSV invoice file; structural problems are reported, never thrown. */
export function parseCsv(
  text: string,
  onLine?: (line: number) => void,
): { invoices: ParsedInvoice[]; problems: ProblemList } {
  const problems = new ProblemList();
  // NUL and other control characters (tab, line breaks aside) are never part of an invoice; PostgreSQL cannot store
  // NUL in text at all (the hostile-client tier's NUL bytes gave 500). Refuse the file naming the first line.
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    problems.push({
      line: text.slice(0, control.index).split('\n').length,
      invoiceNumber: null,
      field: 'file',
      message: 'contains a control character (e.g. a NUL byte); an invoice file is plain text',
    });
    return { invoices: [], problems };
  }
  let records: { cells: string[]; line: number }[];
  try {
    records = csvRecords(text);
  } catch (error) {
    const at = (error as { lines?: number }).lines;
    problems.push({
      line: typeof at === 'number' ? at : null,
      invoiceNumber: null,
      field: 'file',
      message: 'not valid CSV: a quote is not closed or a quoted field is followed by other characters',
    });
    return { invoices: [], problems };
  }
  const header = records[0]?.cells ?? [];
  if (header.join(',') !== CSV_HEADER.join(',')) {
    problems.push({
      line: 1,
      invoiceNumber: null,
      field: 'header',
      message: `expected header ${CSV_HEADER.join(',')}`,
    });
    return { invoices: [], problems };
  }
  const byNumber = new Map<string, ParsedInvoice>();
  for (let i = 1; i < records.length; i++) {
    const { cells, line: lineNo } = records[i] as { cells: string[]; line: number };
    onLine?.(lineNo);
    if (cells.length !== CSV_HEADER.length) {
      problems.push({
        line: lineNo,
        invoiceNumber: null,
        field: 'row',
        message: `expected ${CSV_HEADER.length} fields, found ${cells.length}`,
      });
      continue;
    }
    const row = Object.fromEntries(CSV_HEADER.map((h, k) => [h, cells[k] ?? ''])) as Record<
      (typeof CSV_HEADER)[number],
      string
    >;
    const problem = (field: string, message: string) =>
      problems.push({ line: lineNo, invoiceNumber: row.invoiceNumber || null, field, message });
    const count = intOf(row.count);
    const amount = intOf(row.amountCents);
    const total = intOf(row.totalCents);
    if (count === null) problem('count', 'must be a whole number');
    if (amount === null) problem('amountCents', 'must be a whole number of euro cents');
    if (total === null) problem('totalCents', 'must be a whole number of euro cents');
    const existing = byNumber.get(row.invoiceNumber);
    const head = {
      invoiceNumber: row.invoiceNumber,
      issuer: row.issuer,
      payerOrganisationId: row.payerOrganisationId,
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
      currency: row.currency,
      totalCents: total ?? 0,
      creditsInvoiceNumber: row.creditsInvoiceNumber === '' ? null : row.creditsInvoiceNumber,
    };
    if (existing) {
      for (const key of Object.keys(head) as (keyof typeof head)[])
        if (existing[key] !== head[key])
          problem(key, `differs from the invoice's first line (line ${existing.origin.lines[0]})`);
      existing.lines.push({ unit: row.unit as Unit, count: count ?? 0, amountCents: amount ?? 0 });
      existing.origin.lines.push(lineNo);
    } else {
      byNumber.set(row.invoiceNumber, {
        ...head,
        lines: [{ unit: row.unit as Unit, count: count ?? 0, amountCents: amount ?? 0 }],
        origin: { lines: [lineNo], index: byNumber.size },
      });
    }
  }
  if (byNumber.size === 0 && problems.length === 0)
    problems.push({
      line: null,
      invoiceNumber: null,
      field: 'file',
      message: 'the file holds no invoice lines',
    });
  return { invoices: [...byNumber.values()], problems };
}

/** Parses a JSON invoice document; shape problems are reported with their JSON path. */
export function parseJson(body: unknown): { invoices: ParsedInvoice[]; problems: ProblemList } {
  const problems = new ProblemList();
  const list: unknown[] = Array.isArray(body)
    ? body
    : body && typeof body === 'object' && Array.isArray((body as { invoices?: unknown }).invoices)
      ? (body as { invoices: unknown[] }).invoices
      : body && typeof body === 'object'
        ? [body]
        : [];
  if (list.length === 0)
    problems.push({
      line: null,
      invoiceNumber: null,
      field: 'invoices',
      message: 'no invoices in the document',
    });
  const invoices: ParsedInvoice[] = [];
  list.forEach((item, index) => {
    const at = `invoices[${index}]`;
    const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const number = typeof o.invoiceNumber === 'string' ? o.invoiceNumber : null;
    const problem = (field: string, message: string) =>
      problems.push({ line: null, invoiceNumber: number, field: `${at}.${field}`, message });
    const str = (k: string): string => {
      if (typeof o[k] === 'string') return o[k];
      problem(k, 'required text');
      return '';
    };
    const int = (v: unknown, field: string): number => {
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      problem(field, 'must be a whole number');
      return 0;
    };
    const known = new Set([
      'invoiceNumber',
      'issuer',
      'payerOrganisationId',
      'periodStart',
      'periodEnd',
      'currency',
      'totalCents',
      'creditsInvoiceNumber',
      'lines',
    ]);
    for (const k of Object.keys(o)) if (!known.has(k)) problem(k, 'unknown field');
    const rawLines = Array.isArray(o.lines) ? o.lines : [];
    if (!Array.isArray(o.lines)) problem('lines', 'required list of lines');
    const credits = o.creditsInvoiceNumber;
    if (credits !== undefined && credits !== null && typeof credits !== 'string')
      problem('creditsInvoiceNumber', 'must be text or null');
    invoices.push({
      invoiceNumber: str('invoiceNumber'),
      issuer: str('issuer'),
      payerOrganisationId: str('payerOrganisationId'),
      periodStart: str('periodStart'),
      periodEnd: str('periodEnd'),
      currency: str('currency'),
      totalCents: int(o.totalCents, 'totalCents'),
      creditsInvoiceNumber: typeof credits === 'string' && credits !== '' ? credits : null,
      lines: rawLines.map((l: unknown, k) => {
        const line = (l && typeof l === 'object' ? l : {}) as Record<string, unknown>;
        return {
          unit: line.unit as Unit,
          count: int(line.count, `lines[${k}].count`),
          amountCents: int(line.amountCents, `lines[${k}].amountCents`),
        };
      }),
      origin: { lines: [], index },
    });
  });
  return { invoices, problems };
}

/** Field name in the problem report: the CSV column, or the JSON path. */
function fieldName(invoice: ParsedInvoice, field: string, lineIndex?: number): string {
  if (invoice.origin.lines.length > 0) return field;
  return lineIndex === undefined
    ? `invoices[${invoice.origin.index}].${field}`
    : `invoices[${invoice.origin.index}].lines[${lineIndex}].${field}`;
}

/** Checks one invoice on its own: totals, period, currency, units, integer cents. */
export function checkInvoice(invoice: ParsedInvoice, today: string): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const lineOf = (k?: number) =>
    k === undefined ? (invoice.origin.lines[0] ?? null) : (invoice.origin.lines[k] ?? null);
  const problem = (field: string, message: string, k?: number) =>
    problems.push({
      line: lineOf(k),
      invoiceNumber: invoice.invoiceNumber || null,
      field: fieldName(invoice, field, k),
      message,
    });
  if (!NUMBER.test(invoice.invoiceNumber))
    problem('invoiceNumber', 'letters, digits and . _ / - (1-64), starting with a letter or digit');
  if (!ISSUER.test(invoice.issuer)) problem('issuer', 'upper-case letters, digits, _ or - (2-50)');
  if (!UUID.test(invoice.payerOrganisationId)) problem('payerOrganisationId', 'must be a lower-case uuid');
  const startOk = isValidIsoDate(invoice.periodStart);
  const endOk = isValidIsoDate(invoice.periodEnd);
  if (!startOk) problem('periodStart', 'a calendar date written YYYY-MM-DD');
  if (!endOk) problem('periodEnd', 'a calendar date written YYYY-MM-DD');
  if (startOk && endOk) {
    if (invoice.periodEnd < invoice.periodStart) problem('periodEnd', 'the period ends before it starts');
    else if (daysBetween(invoice.periodStart, invoice.periodEnd) > 366)
      problem('periodEnd', 'a period spans at most one year');
    if (invoice.periodEnd > today) problem('periodEnd', 'the period has not ended yet');
    if (invoice.periodStart < '2020-01-01') problem('periodStart', 'before DIV-it existed (2020-01-01)');
  }
  if (invoice.currency !== 'EUR') problem('currency', 'must be EUR');
  if (invoice.lines.length === 0) problem('lines', 'an invoice has at least one line');
  const seen = new Set<string>();
  invoice.lines.forEach((l, k) => {
    if (!(UNITS as readonly string[]).includes(l.unit))
      problem('unit', `must be one of ${UNITS.join(', ')}`, k);
    else if (seen.has(l.unit)) problem('unit', `${l.unit} appears twice`, k);
    seen.add(l.unit);
    if (l.count < 0 || !Number.isSafeInteger(l.count)) problem('count', 'must be zero or more', k);
    if (l.amountCents < 0 || l.amountCents > MAX_CENTS)
      problem('amountCents', 'must be zero or more (whole euro cents; credits use positive figures)', k);
  });
  const sum = invoice.lines.reduce((a, l) => a + l.amountCents, 0);
  if (invoice.totalCents !== sum)
    problem('totalCents', `is ${invoice.totalCents} but the lines add up to ${sum}`);
  if (invoice.creditsInvoiceNumber === invoice.invoiceNumber)
    problem('creditsInvoiceNumber', 'an invoice cannot credit itself');
  return problems;
}
