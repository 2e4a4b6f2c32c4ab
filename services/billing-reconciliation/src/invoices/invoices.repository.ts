import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { InvoiceLine, Unit } from './invoice-file';

export interface StoredInvoice {
  invoiceId: string;
  issuer: string;
  invoiceNumber: string;
  payerOrganisationId: string;
  periodStart: string;
  periodEnd: string;
  currency: string;
  totalCents: number;
  creditsInvoiceId: string | null;
  creditsInvoiceNumber: string | null;
  contentHash: string;
  importedAt: string;
  lines: InvoiceLine[];
}

interface Row {
  invoice_id: string;
  issuer: string;
  invoice_number: string;
  payer_organisation_id: string;
  period_start: string;
  period_end: string;
  currency: string;
  total_cents: string;
  credits_invoice_id: string | null;
  credits_invoice_number: string | null;
  content_hash: string;
  imported_at: Date;
  lines: { unit: Unit; count: string | number; amountCents: string | number }[];
}

const SELECT = `
  SELECT i.invoice_id, i.issuer, i.invoice_number, i.payer_organisation_id,
         to_char(i.period_start, 'YYYY-MM-DD') AS period_start, to_char(i.period_end, 'YYYY-MM-DD') AS period_end,
         i.currency, i.total_cents, i.credits_invoice_id, c.invoice_number AS credits_invoice_number,
         i.content_hash, i.imported_at,
         (SELECT coalesce(json_agg(json_build_object('unit', l.unit, 'count', l.usage_count, 'amountCents', l.amount_cents)
                 ORDER BY l.unit), '[]') FROM invoice_lines l WHERE l.invoice_id = i.invoice_id) AS lines
    FROM invoices i LEFT JOIN invoices c ON c.invoice_id = i.credits_invoice_id`;

const toStored = (r: Row): StoredInvoice => ({
  invoiceId: r.invoice_id,
  issuer: r.issuer,
  invoiceNumber: r.invoice_number,
  payerOrganisationId: r.payer_organisation_id,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  currency: r.currency,
  totalCents: Number(r.total_cents),
  creditsInvoiceId: r.credits_invoice_id,
  creditsInvoiceNumber: r.credits_invoice_number,
  contentHash: r.content_hash,
  importedAt: r.imported_at.toISOString(),
  lines: r.lines.map((l) => ({ unit: l.unit, count: Number(l.count), amountCents: Number(l.amountCents) })),
});

/** The only user of the invoice tables. */
@Injectable()
export class InvoicesRepository {
  /** One import at a time, for the rest of the transaction: its checks against the store stay true until commit. */
  async lockImports(em: EntityManager): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(7007001)');
  }

  async byNumbers(
    em: EntityManager,
    keys: { issuer: string; invoiceNumber: string }[],
  ): Promise<StoredInvoice[]> {
    if (keys.length === 0) return [];
    const rows = await em.query<Row[]>(
      `${SELECT} WHERE (i.issuer, i.invoice_number) IN (SELECT * FROM unnest($1::varchar[], $2::varchar[]))`,
      [keys.map((k) => k.issuer), keys.map((k) => k.invoiceNumber)],
    );
    return rows.map(toStored);
  }

  async byId(em: EntityManager, invoiceId: string): Promise<StoredInvoice | null> {
    const rows = await em.query<Row[]>(`${SELECT} WHERE i.invoice_id = $1`, [invoiceId]);
    return rows[0] ? toStored(rows[0]) : null;
  }

  /** Invoices (originals and credits) of one payer and period, oldest first. */
  async forPeriod(
    em: EntityManager,
    payer: string,
    periodStart: string,
    periodEnd: string,
  ): Promise<StoredInvoice[]> {
    const rows = await em.query<Row[]>(
      `${SELECT} WHERE i.payer_organisation_id = $1 AND i.period_start = $2 AND i.period_end = $3
        ORDER BY i.imported_at, i.invoice_number`,
      [payer, periodStart, periodEnd],
    );
    return rows.map(toStored);
  }

  async list(em: EntityManager, payer?: string): Promise<StoredInvoice[]> {
    const rows = await em.query<Row[]>(
      `${SELECT} ${payer ? 'WHERE i.payer_organisation_id = $1' : ''} ORDER BY i.period_start, i.imported_at`,
      payer ? [payer] : [],
    );
    return rows.map(toStored);
  }

  /** Amounts and counts already credited against an invoice, per unit. */
  async credited(
    em: EntityManager,
    invoiceId: string,
  ): Promise<Map<string, { count: number; amountCents: number }>> {
    const rows = await em.query<{ unit: string; n: string; a: string }[]>(
      `SELECT l.unit, sum(l.usage_count) AS n, sum(l.amount_cents) AS a FROM invoices i
         JOIN invoice_lines l ON l.invoice_id = i.invoice_id WHERE i.credits_invoice_id = $1 GROUP BY l.unit`,
      [invoiceId],
    );
    return new Map(rows.map((r) => [r.unit, { count: Number(r.n), amountCents: Number(r.a) }]));
  }

  async insert(
    em: EntityManager,
    invoice: Omit<StoredInvoice, 'importedAt' | 'creditsInvoiceNumber'>,
    importedBy: string,
  ): Promise<void> {
    await em.query(
      `INSERT INTO invoices (invoice_id, issuer, invoice_number, payer_organisation_id, period_start, period_end,
                             currency, total_cents, credits_invoice_id, content_hash, imported_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        invoice.invoiceId,
        invoice.issuer,
        invoice.invoiceNumber,
        invoice.payerOrganisationId,
        invoice.periodStart,
        invoice.periodEnd,
        invoice.currency,
        invoice.totalCents,
        invoice.creditsInvoiceId,
        invoice.contentHash,
        importedBy,
      ],
    );
    await em.query(
      `INSERT INTO invoice_lines (invoice_id, unit, usage_count, amount_cents)
       SELECT $1, * FROM unnest($2::varchar[], $3::bigint[], $4::bigint[])`,
      [
        invoice.invoiceId,
        invoice.lines.map((l) => l.unit),
        invoice.lines.map((l) => l.count),
        invoice.lines.map((l) => l.amountCents),
      ],
    );
  }
}
