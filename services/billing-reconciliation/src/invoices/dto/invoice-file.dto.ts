import { z } from 'zod';
import { isoDate } from '../../common/dates';
import { CSV_HEADER, UNITS } from '../invoice-file';

/**
 * POST /invoices, documentation of the file (the handler reads the body itself and checks it in
 * invoice-file.ts, answering 422 INVOICE_FILE_INVALID with every problem's line and field).
 */
const invoiceLine = z.strictObject({
  unit: z.enum(UNITS),
  count: z.number().int().min(0),
  amountCents: z.number().int().min(0).describe('Whole euro cents; a credit invoice uses positive figures.'),
});

export const invoiceFileInvoiceSchema = z
  .strictObject({
    invoiceNumber: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/),
    issuer: z.string().regex(/^[A-Z0-9_-]{2,50}$/),
    payerOrganisationId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate.describe('At most one year after periodStart, and already ended.'),
    currency: z.literal('EUR'),
    totalCents: z.number().int().min(0).describe('Equals the sum of the lines.'),
    creditsInvoiceNumber: z
      .string()
      .nullable()
      .optional()
      .describe('Set for a credit invoice: the number of the invoice it corrects.'),
    lines: z.array(invoiceLine).min(1).describe('One line per usage unit.'),
  })
  .meta({ id: 'InvoiceFileInvoice' });

/** application/json: `{ invoices: [...] }`, an array of invoices, or one invoice. */
export const invoiceFileJsonSchema = z
  .union([
    z.strictObject({ invoices: z.array(invoiceFileInvoiceSchema).min(1) }),
    z.array(invoiceFileInvoiceSchema).min(1),
    invoiceFileInvoiceSchema,
  ])
  .describe('The invoices of the file: `{ "invoices": [...] }`, an array of invoices, or one invoice.');

export const INVOICE_FILE_DESCRIPTION =
  `The invoice file, all or nothing. text/csv: the header ${CSV_HEADER.join(',')} and one row per ` +
  'invoice line (the invoice fields repeat on each line of an invoice). application/json: see the schema. ' +
  'A bad file is refused with 422 INVOICE_FILE_INVALID listing every problem with its line and field.';
