import { z } from 'zod';
import { isoDate } from '../../common/dates';
import type { Assert, Describes } from '@divit/service-kit';
import { UNITS } from '../invoice-file';
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

type _InvoiceViewChecked = Assert<Describes<typeof invoiceResponseSchema, InvoiceView>>;
type _ImportResultChecked = Assert<Describes<typeof importResponseSchema, ImportResult>>;
