import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { assertActsFor } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { todayInAmsterdam } from '../common/dates';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import { TariffsService } from '../tariffs/tariffs.service';
import { checkInvoice, ImportProblem, ParsedInvoice, parseCsv, parseJson, ProblemList } from './invoice-file';
import { InvoiceError } from './invoices.errors';
import { InvoicesRepository, StoredInvoice } from './invoices.repository';

export interface InvoiceView {
  invoiceId: string;
  invoiceNumber: string;
  issuer: string;
  payerOrganisationId: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  totalCents: number;
  credit: boolean;
  creditsInvoiceNumber: string | null;
  lines: { unit: string; count: number; amountCents: number }[];
}

export interface ImportResult {
  /** Every invoice of the file, as stored (a repeated import answers exactly the same). */
  invoices: InvoiceView[];
}

export const toView = (i: StoredInvoice): InvoiceView => ({
  invoiceId: i.invoiceId,
  invoiceNumber: i.invoiceNumber,
  issuer: i.issuer,
  payerOrganisationId: i.payerOrganisationId,
  periodStart: i.periodStart,
  periodEnd: i.periodEnd,
  currency: i.currency,
  totalCents: i.totalCents,
  credit: i.creditsInvoiceId !== null,
  creditsInvoiceNumber: i.creditsInvoiceNumber,
  lines: [...i.lines].sort((a, b) => a.unit.localeCompare(b.unit)),
});

/** Stable id of an invoice: derived from issuer and number, so a repeated import finds the same id. */
export function invoiceIdOf(issuer: string, invoiceNumber: string): string {
  const h = createHash('sha256').update(`divit-invoice|${issuer}|${invoiceNumber}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** Hash of what the invoice says (not where in the file it was), to recognise the same invoice again. */
function contentHash(i: ParsedInvoice): string {
  const canonical = {
    invoiceNumber: i.invoiceNumber,
    issuer: i.issuer,
    payerOrganisationId: i.payerOrganisationId,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    currency: i.currency,
    totalCents: i.totalCents,
    creditsInvoiceNumber: i.creditsInvoiceNumber,
    lines: [...i.lines]
      .sort((a, b) => a.unit.localeCompare(b.unit))
      .map((l) => [l.unit, l.count, l.amountCents]),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export type InvoiceFormat = 'csv' | 'json';

/**
 * Invoice import: the whole file is checked first and imported in one transaction, or nothing is (the
 * problem report names each problem with its line and field). The same invoice again is imported once.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Injectable()
export class InvoicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: InvoicesRepository,
    private readonly organisations: OrganisationsRepository,
    private readonly tariffs: TariffsService,
  ) {}

  parse(format: InvoiceFormat, content: unknown, onLine?: (line: number) => void) {
    if (format === 'csv') return parseCsv(String(content), onLine);
    if (typeof content === 'string') {
      try {
        return parseJson(JSON.parse(content));
      } catch {
        return {
          invoices: [],
          problems: ProblemList.of({
            line: null,
            invoiceNumber: null,
            field: 'file',
            message: 'not valid JSON',
          }),
        };
      }
    }
    return parseJson(content);
  }

  async import(
    principal: Principal,
    format: InvoiceFormat,
    content: unknown,
    onLine?: (line: number) => void,
  ): Promise<ImportResult> {
    const parsed = this.parse(format, content, onLine);
    // An organisation imports only invoices it holds itself; the platform operator any. Refused as a whole.
    for (const invoice of parsed.invoices) assertActsFor(principal, invoice.payerOrganisationId);
    return this.dataSource.transaction(async (em) => {
      // One import at a time: the checks against the store stay true until commit.
      await this.repository.lockImports(em);
      const problems = new ProblemList();
      problems.addAll(parsed.problems);
      const today = todayInAmsterdam();
      for (const invoice of parsed.invoices) problems.pushAll(checkInvoice(invoice, today));
      problems.pushAll(await this.checkAgainstStore(em, parsed.invoices));
      if (problems.length > 0) {
        throw new InvoiceError(
          'INVOICE_FILE_INVALID',
          `the invoice file has ${problems.length} problem(s); nothing was imported`,
          {
            problemsTotal: problems.length,
            ...(problems.length > problems.items.length ? { problemsListed: problems.items.length } : {}),
            problems: problems.sorted(),
          },
        );
      }
      const existing = new Map(
        (await this.repository.byNumbers(em, parsed.invoices)).map((s) => [
          `${s.issuer}|${s.invoiceNumber}`,
          s,
        ]),
      );
      // Originals before the credits that reference them.
      const ordered = [...parsed.invoices].sort(
        (a, b) => Number(a.creditsInvoiceNumber !== null) - Number(b.creditsInvoiceNumber !== null),
      );
      for (const invoice of ordered) {
        if (existing.has(`${invoice.issuer}|${invoice.invoiceNumber}`)) continue;
        await this.repository.insert(
          em,
          {
            invoiceId: invoiceIdOf(invoice.issuer, invoice.invoiceNumber),
            issuer: invoice.issuer,
            invoiceNumber: invoice.invoiceNumber,
            payerOrganisationId: invoice.payerOrganisationId,
            periodStart: invoice.periodStart,
            periodEnd: invoice.periodEnd,
            currency: invoice.currency,
            totalCents: invoice.totalCents,
            creditsInvoiceId: invoice.creditsInvoiceNumber
              ? invoiceIdOf(invoice.issuer, invoice.creditsInvoiceNumber)
              : null,
            contentHash: contentHash(invoice),
            lines: invoice.lines,
          },
          principal.subject,
        );
      }
      const stored = await this.repository.byNumbers(em, parsed.invoices);
      const byKey = new Map(stored.map((s) => [`${s.issuer}|${s.invoiceNumber}`, s]));
      return {
        invoices: parsed.invoices.flatMap((i) => {
          const s = byKey.get(`${i.issuer}|${i.invoiceNumber}`);
          return s ? [toView(s)] : [];
        }),
      };
    });
  }

  /** Checks that need the store: known payer and issuer, repeated numbers, credits against their invoice. */
  private async checkAgainstStore(em: EntityManager, invoices: ParsedInvoice[]): Promise<ImportProblem[]> {
    const problems: ImportProblem[] = [];
    const at = (i: ParsedInvoice, field: string) => ({
      line: i.origin.lines[0] ?? null,
      invoiceNumber: i.invoiceNumber || null,
      field: i.origin.lines.length > 0 ? field : `invoices[${i.origin.index}].${field}`,
    });
    const issuers = await this.tariffs.issuers(em);
    const stored = new Map(
      (await this.repository.byNumbers(em, invoices)).map((s) => [`${s.issuer}|${s.invoiceNumber}`, s]),
    );
    // One query for all payers (a file may name 100 000 invoices).
    const knownPayers = await this.organisations.existing(
      em,
      [...new Set(invoices.map((i) => i.payerOrganisationId))].filter((id) => UUID.test(id)),
    );
    const inFile = new Map<string, ParsedInvoice>();
    for (const i of invoices) {
      const key = `${i.issuer}|${i.invoiceNumber}`;
      const twin = inFile.get(key);
      if (twin && contentHash(twin) !== contentHash(i))
        problems.push({
          ...at(i, 'invoiceNumber'),
          message: 'appears twice in the file with different content',
        });
      inFile.set(key, i);
      const before = stored.get(key);
      if (before && before.contentHash !== contentHash(i))
        problems.push({
          ...at(i, 'invoiceNumber'),
          message: `already imported with different content (invoice ${before.invoiceId}); correct it with a credit invoice`,
        });
      if (issuers.size > 0 && /^[A-Z0-9_-]{2,50}$/.test(i.issuer) && !issuers.has(i.issuer))
        problems.push({ ...at(i, 'issuer'), message: `no tariffs configured for issuer ${i.issuer}` });
      if (/^[0-9a-f-]{36}$/.test(i.payerOrganisationId) && !knownPayers.has(i.payerOrganisationId))
        problems.push({
          ...at(i, 'payerOrganisationId'),
          message: 'unknown organisation (not registered with DIV-it)',
        });
    }
    for (const i of invoices) {
      if (!i.creditsInvoiceNumber || stored.has(`${i.issuer}|${i.invoiceNumber}`)) continue;
      const ref = `${i.issuer}|${i.creditsInvoiceNumber}`;
      const originalStored = (
        await this.repository.byNumbers(em, [{ issuer: i.issuer, invoiceNumber: i.creditsInvoiceNumber }])
      )[0];
      const original = originalStored ?? inFile.get(ref);
      if (!original) {
        problems.push({
          ...at(i, 'creditsInvoiceNumber'),
          message: `no invoice ${i.creditsInvoiceNumber} of issuer ${i.issuer} to credit`,
        });
        continue;
      }
      const isCredit =
        'creditsInvoiceId' in original
          ? original.creditsInvoiceId !== null
          : original.creditsInvoiceNumber !== null;
      if (isCredit)
        problems.push({ ...at(i, 'creditsInvoiceNumber'), message: 'a credit invoice cannot be credited' });
      if (
        original.payerOrganisationId !== i.payerOrganisationId ||
        original.periodStart !== i.periodStart ||
        original.periodEnd !== i.periodEnd
      )
        problems.push({
          ...at(i, 'creditsInvoiceNumber'),
          message: 'the credited invoice has another payer or period',
        });
      const already = originalStored
        ? await this.repository.credited(em, originalStored.invoiceId)
        : new Map<string, { count: number; amountCents: number }>();
      for (const line of i.lines) {
        const orig = original.lines.find((l) => l.unit === line.unit);
        const prior = already.get(line.unit) ?? { count: 0, amountCents: 0 };
        if (
          !orig ||
          line.amountCents + prior.amountCents > orig.amountCents ||
          line.count + prior.count > orig.count
        )
          problems.push({
            ...at(i, 'amountCents'),
            message: `credits more ${line.unit} than invoice ${i.creditsInvoiceNumber} still holds`,
          });
      }
    }
    return problems;
  }

  async get(invoiceId: string): Promise<InvoiceView> {
    const found = await this.repository.byId(this.dataSource.manager, invoiceId);
    if (!found) throw new InvoiceError('INVOICE_NOT_FOUND', 'no invoice with this id');
    return toView(found);
  }

  async list(payer?: string): Promise<InvoiceView[]> {
    return (await this.repository.list(this.dataSource.manager, payer)).map(toView);
  }
}
