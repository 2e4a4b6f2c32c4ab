import { z } from 'zod';
import { isoDate } from '../../common/dates';
import type { Assert, Describes } from '@divit/service-kit';
import { ImportProblem, UNITS } from '../invoice-file';
import type { ImportResult, InvoiceView } from '../invoices.service';

const cents = z.number().int().min(0);

/** One imported invoice (or credit invoice) as stored. */
export const invoiceResponseSchema = z
  .object({
    invoiceId: z
      .uuid()
      .describe(
        'Stable id derived from issuer and invoice number: the same invoice imported again keeps it.',
      ),
    invoiceNumber: z.string().min(1),
    issuer: z.string().min(1),
    payerOrganisationId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate,
    currency: z.literal('EUR'),
    totalCents: cents.describe('Sum of the lines, euro cents (a credit invoice also uses positive figures).'),
    credit: z.boolean().describe('A credit invoice: it credits the invoice `creditsInvoiceNumber`.'),
    creditsInvoiceNumber: z.string().nullable(),
    lines: z
      .array(z.object({ unit: z.enum(UNITS), count: z.number().int().min(0), amountCents: cents }))
      .describe('One line per usage unit, by unit.'),
  })
  .meta({ id: 'Invoice', description: 'An imported invoice of a usage-unit issuer.' });
export type InvoiceResponse = z.infer<typeof invoiceResponseSchema>;

/** GET /invoices. */
export const invoiceListResponseSchema = z.array(invoiceResponseSchema);

/** POST /invoices: every invoice of the file, as stored (a repeated import answers exactly the same). */
export const importResponseSchema = z
  .object({ invoices: z.array(invoiceResponseSchema) })
  .describe('Every invoice of the file, as stored; importing the same file again answers the same.');
export type ImportResponse = z.infer<typeof importResponseSchema>;

/** One problem of a refused invoice file. */
const importProblemSchema = z
  .object({
    line: z
      .number()
      .int()
      .min(1)
      .nullable()
      .describe('CSV line number (the header is line 1); null for JSON.'),
    invoiceNumber: z.string().nullable(),
    field: z.string().describe('The field, e.g. `amountCents` or (JSON) `invoices[0].lines[1].amountCents`.'),
    message: z.string(),
  })
  .meta({ id: 'InvoiceFileProblem' });

/** What the 422 INVOICE_FILE_INVALID problem adds to problem+json: the file's problems, in line order. */
export const invoiceFileProblemMembers = z.object({
  problemsTotal: z.number().int().min(1).describe('How many problems the file has.'),
  problemsListed: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Present when `problems` lists fewer than `problemsTotal` (at most 1,000 are listed).'),
  problems: z.array(importProblemSchema).describe('The first problems found, in line order.'),
});

type _InvoiceViewChecked = Assert<Describes<typeof invoiceResponseSchema, InvoiceView>>;
type _ImportResultChecked = Assert<Describes<typeof importResponseSchema, ImportResult>>;
type _ImportProblemChecked = Assert<Describes<typeof importProblemSchema, ImportProblem>>;
