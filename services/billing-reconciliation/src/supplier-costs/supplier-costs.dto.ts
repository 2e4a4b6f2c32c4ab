import { z } from 'zod';
import type { Assert, Describes } from '@divit/service-kit';
import { isoDate } from '../common/dates';
import type { SupplierCostView } from './supplier-costs.service';

const part = z.object({
  memberId: z.uuid(),
  amountCents: z.number().int().min(0),
  attributableCents: z.number().int().min(0).describe('Always 0: a supplier cost has no usage to attribute.'),
  sharedCents: z.number().int().min(0),
  attributableUsageCount: z.number().int().min(0),
  keyShareNumerator: z.number().int().min(0),
  keyShareDenominator: z.number().int().min(0),
});

export const supplierCostResponseSchema = z
  .object({
    supplierCostId: z.uuid(),
    supplier: z.string(),
    invoiceNumber: z.string(),
    payerOrganisationId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate,
    currency: z.literal('EUR'),
    description: z.string(),
    amountCents: z.number().int(),
    basis: z.enum(['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES', 'OWN_INVOICE']),
    keyEffectiveFrom: isoDate.nullable(),
    parts: z.array(part).describe("Each member's part; they add up to amountCents to the cent."),
    importedBy: z.string(),
    importedAt: z.iso.datetime(),
  })
  .meta({
    id: 'SupplierCost',
    description: 'A cost a supplier passed on, split over the members like an invoice.',
  });

export const supplierCostListSchema = z.array(supplierCostResponseSchema);

type _Checked = Assert<Describes<typeof supplierCostResponseSchema, SupplierCostView>>;
