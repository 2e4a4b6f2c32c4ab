import { z } from 'zod';
import { isoDate } from '../../common/dates';
import type { Assert, Describes } from '../../common/schema-describes';
import { UNITS } from '../invoice-file';
import type { ImportResult, InvoiceView } from '../invoices.service';

const cents = z.number().int().min(0);

/** One imported invoice (or credit invoice) as stored. */
export const invoiceResponseSchema = z
  .strictObject({
    /** Stable id derived from issuer and invoice number: the same invoice imported again keeps it. */
    invoiceId: z.uuid(),
    invoiceNumber: z.string().min(1),
    issuer: z.string().min(1),
    payerOrganisationId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate,
    currency: z.literal('EUR'),
    /** Sum of the lines, euro cents (a credit invoice also uses positive figures). */
    totalCents: cents,
    /** A credit invoice: it credits the invoice `creditsInvoiceNumber`. */
    credit: z.boolean(),
    creditsInvoiceNumber: z.string().nullable(),
    /** One line per usage unit, by unit. */
    lines: z.array(
      z.strictObject({ unit: z.enum(UNITS), count: z.number().int().min(0), amountCents: cents }),
    ),
  })
  .describe('An imported invoice of a usage-unit issuer.');
export type InvoiceResponse = z.infer<typeof invoiceResponseSchema>;

/** GET /invoices. */
export const invoiceListResponseSchema = z.array(invoiceResponseSchema);

/** POST /invoices: every invoice of the file, as stored (a repeated import answers exactly the same). */
export const importResponseSchema = z
  .strictObject({ invoices: z.array(invoiceResponseSchema) })
  .describe('The result of an invoice import: every invoice of the file, as stored.');
export type ImportResponse = z.infer<typeof importResponseSchema>;

type _InvoiceViewChecked = Assert<Describes<typeof invoiceResponseSchema, InvoiceView>>;
type _ImportResultChecked = Assert<Describes<typeof importResponseSchema, ImportResult>>;
