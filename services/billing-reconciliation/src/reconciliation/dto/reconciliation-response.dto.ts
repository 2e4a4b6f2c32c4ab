import { z } from 'zod';
import { isoDate } from '../../common/dates';
import type { Assert, Describes } from '@divit/service-kit';
import type { UsageLedgerRepository } from '../../ledger/usage-ledger.repository';
import type { StoredKey, ReconciliationRow } from '../reconciliation.repository';
import type { ReconciliationResult } from '../reconciliation.types';

const unit = z.enum(['DIGID_LOGIN', 'DATA_SHARING']);
const count = z.number().int().min(0);
const cents = z.number().int().min(0);
const timestamp = z.iso.datetime();

/** An allocation key of a payer from a date. */
export const allocationKeyResponseSchema = z
  .object({
    effectiveFrom: isoDate,
    basis: z.enum(['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES']),
    fixedBasisPoints: z
      .record(z.uuid(), z.number().int().min(0).max(10_000))
      .nullable()
      .describe('Only for FIXED_PERCENTAGES: basis points per member id (100.00% = 10000); otherwise null.'),
  })
  .meta({
    id: 'AllocationKey',
    description: "An allocation key of a route B or C payer, in force from its date until the next one's.",
  });

export type AllocationKeyResponse = z.infer<typeof allocationKeyResponseSchema>;

/** GET and PUT /allocation-keys/{payerOrganisationId}: every key of the payer, by date. */
export const allocationKeyListResponseSchema = z.array(allocationKeyResponseSchema);

/** Usage counted against the invoice for one unit. */
export const unitResultSchema = z
  .object({
    unit,
    counted: count.describe('Usage records counted in the period (late ones included).'),
    late: count.describe('Of `counted`: usage that arrived while the period was closed.'),
    attributable: count.describe('Of `counted`: usage attributable to one member (it let the dwelling).'),
    shared: count.describe('Of `counted`: usage spread by the allocation key.'),
    invoicedCount: count,
    invoicedAmountCents: cents,
    unitPriceMillicents: count.describe('The tariff in force, thousandths of a euro cent.'),
    expectedAmountCents: cents.describe('`counted` × the tariff, rounded half up to the cent.'),
  })
  .meta({ id: 'UnitResult', description: 'Usage counted against the invoice for one unit.' });

/** One difference between what was counted and what was invoiced; every difference is a line. */
export const discrepancySchema = z
  .object({
    unit,
    class: z.enum([
      'LATE_USAGE',
      'USAGE_MISSING_ON_OUR_SIDE',
      'USAGE_MISSING_ON_INVOICE',
      'TARIFF_MISMATCH',
      'ROUNDING',
    ]),
    count: z.number().int().describe('Usage units behind the difference (0 for amount-only differences).'),
    amountCents: z
      .number()
      .int()
      .describe(
        'Money behind the difference, euro cents (positive: in our favour / more invoiced than expected).',
      ),
    explanation: z.string(),
  })
  .meta({
    id: 'Discrepancy',
    description: 'One difference between what was counted and what was invoiced; every difference is a line.',
  });

/** One member's part of the invoice. */
export const memberPartSchema = z
  .object({
    memberId: z.uuid(),
    amountCents: cents,
    attributableCents: cents.describe('Of `amountCents`: for usage attributable to this member.'),
    sharedCents: cents.describe("Of `amountCents`: this member's key share of the shared usage."),
    attributableUsageCount: count,
    keyShareNumerator: count,
    keyShareDenominator: count,
  })
  .meta({ id: 'MemberPart', description: "One member's part of the invoice." });

/** Everything one reconciliation computed; stored as is per version. */
export const reconciliationResultSchema = z
  .object({
    payerOrganisationId: z.uuid(),
    route: z.enum(['A', 'B', 'C']),
    collaborationId: z.uuid().nullable(),
    periodStart: isoDate,
    periodEnd: isoDate,
    issuer: z.string(),
    toleranceCents: count.describe('Amount difference per unit line (cents) still counted as rounding.'),
    invoices: z.array(
      z.object({
        invoiceId: z.uuid(),
        invoiceNumber: z.string(),
        credit: z.boolean(),
        totalCents: cents,
      }),
    ),
    primaryInvoice: z
      .object({ invoiceId: z.uuid(), invoiceNumber: z.string() })
      .describe('The original invoice the settlements refer to (the earliest imported non-credit invoice).'),
    invoicedTotalCents: cents.describe('Net invoiced: originals minus credits.'),
    countedAmountCents: cents,
    units: z.array(unitResultSchema),
    discrepancies: z.array(discrepancySchema),
    status: z.enum(['MATCHED', 'DIFFERENCES']).describe('MATCHED when every difference is rounding.'),
    split: z.object({
      basis: z.enum(['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES', 'OWN_INVOICE']),
      keyEffectiveFrom: isoDate.nullable(),
      totalCents: cents,
      parts: z.array(memberPartSchema),
    }),
    calculatedAt: timestamp,
  })
  .meta({
    id: 'ReconciliationResult',
    description: 'Everything one reconciliation computed; stored as is per version.',
  });

/** POST /reconciliations/dry-run: the result, calculated and not stored. */
export const dryRunResponseSchema = reconciliationResultSchema
  .extend({ dryRun: z.literal(true) })
  .describe('A reconciliation calculated without storing anything.');
export type DryRunResponse = z.infer<typeof dryRunResponseSchema>;

/** One stored version of a payer's period. */
export const reconciliationResponseSchema = z
  .object({
    reconciliationId: z.uuid(),
    payerOrganisationId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate,
    version: z
      .number()
      .int()
      .min(1)
      .describe('1 for the first close; each close after a re-open adds the next version.'),
    status: z.enum(['MATCHED', 'DIFFERENCES']),
    closedAt: timestamp,
    closedBy: z.string(),
    reopenedAt: timestamp
      .nullable()
      .describe('Set when the period was re-opened after this version (the version itself stays).'),
    reopenReason: z.string().nullable(),
    result: reconciliationResultSchema,
  })
  .meta({ id: 'Reconciliation', description: "One closed version of a payer's reconciliation period." });
export type ReconciliationResponse = z.infer<typeof reconciliationResponseSchema>;

/** POST /reconciliations/reopen and GET /reconciliations: versions of one period. */
export const reconciliationListResponseSchema = z.array(reconciliationResponseSchema);

/** Usage that arrived while its period was closed (kept, reported, counted when the period re-opens). */
export const lateUsageSchema = z
  .object({
    usageId: z.uuid(),
    unit,
    organisationId: z.uuid(),
    occurredAt: timestamp,
    receivedAt: timestamp,
  })
  .meta({
    id: 'LateUsage',
    description:
      'Usage that arrived while its period was closed (kept, reported, counted when the period re-opens).',
  });

/** GET /reconciliations/{id}/discrepancies (format=json). */
export const discrepancyReportResponseSchema = z
  .object({
    discrepancies: z.array(discrepancySchema),
    lateUsage: z.array(lateUsageSchema),
  })
  .describe('The classified differences of a reconciliation version and every late usage record.');
export type DiscrepancyReportResponse = z.infer<typeof discrepancyReportResponseSchema>;

type LateUsage = Awaited<ReturnType<UsageLedgerRepository['late']>>[number];
type _StoredKeyChecked = Assert<Describes<typeof allocationKeyResponseSchema, StoredKey>>;
type _ResultChecked = Assert<Describes<typeof reconciliationResultSchema, ReconciliationResult>>;
type _DryRunChecked = Assert<Describes<typeof dryRunResponseSchema, ReconciliationResult & { dryRun: true }>>;
type _RowChecked = Assert<Describes<typeof reconciliationResponseSchema, ReconciliationRow>>;
type _LateUsageChecked = Assert<Describes<typeof lateUsageSchema, LateUsage>>;
