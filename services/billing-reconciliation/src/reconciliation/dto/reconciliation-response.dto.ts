import { z } from 'zod';
import { isoDate } from '../../common/dates';
import type { Assert, Describes } from '../../common/schema-describes';
import type { UsageLedgerRepository } from '../../ledger/usage-ledger.repository';
import type { StoredKey, ReconciliationRow } from '../reconciliation.repository';
import type { ReconciliationResult } from '../reconciliation.types';

const unit = z.enum(['DIGID_LOGIN', 'DATA_SHARING']);
const count = z.number().int().min(0);
const cents = z.number().int().min(0);
const timestamp = z.iso.datetime();

/** An allocation key of a payer from a date. */
export const allocationKeyResponseSchema = z
  .strictObject({
    effectiveFrom: isoDate,
    basis: z.enum(['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES']),
    /** Only for FIXED_PERCENTAGES: basis points per member id (100.00% = 10000); otherwise null. */
    fixedBasisPoints: z.record(z.uuid(), z.number().int().min(0).max(10_000)).nullable(),
  })
  .describe("An allocation key of a route B or C payer, in force from its date until the next one's.");

/** GET and PUT /allocation-keys/{payerOrganisationId}: every key of the payer, by date. */
export const allocationKeyListResponseSchema = z.array(allocationKeyResponseSchema);

/** Usage counted against the invoice for one unit. */
export const unitResultSchema = z.strictObject({
  unit,
  /** Usage records counted in the period (late ones included). */
  counted: count,
  /** Of `counted`: usage that arrived while the period was closed. */
  late: count,
  /** Of `counted`: usage attributable to one member (it let the dwelling). */
  attributable: count,
  /** Of `counted`: usage spread by the allocation key. */
  shared: count,
  invoicedCount: count,
  invoicedAmountCents: cents,
  /** The tariff in force, thousandths of a euro cent. */
  unitPriceMillicents: count,
  /** `counted` × the tariff, rounded half up to the cent. */
  expectedAmountCents: cents,
});

/** One difference between what was counted and what was invoiced; every difference is a line. */
export const discrepancySchema = z.strictObject({
  unit,
  class: z.enum([
    'LATE_USAGE',
    'USAGE_MISSING_ON_OUR_SIDE',
    'USAGE_MISSING_ON_INVOICE',
    'TARIFF_MISMATCH',
    'ROUNDING',
  ]),
  /** Usage units behind the difference (0 for amount-only differences). */
  count: z.number().int(),
  /** Money behind the difference, euro cents (positive: in our favour / more invoiced than expected). */
  amountCents: z.number().int(),
  explanation: z.string(),
});

/** One member's part of the invoice. */
export const memberPartSchema = z.strictObject({
  memberId: z.uuid(),
  amountCents: cents,
  /** Of `amountCents`: for usage attributable to this member. */
  attributableCents: cents,
  /** Of `amountCents`: this member's key share of the shared usage. */
  sharedCents: cents,
  attributableUsageCount: count,
  keyShareNumerator: count,
  keyShareDenominator: count,
});

/** Everything one reconciliation computed; stored as is per version. */
export const reconciliationResultSchema = z.strictObject({
  payerOrganisationId: z.uuid(),
  route: z.enum(['A', 'B', 'C']),
  collaborationId: z.uuid().nullable(),
  periodStart: isoDate,
  periodEnd: isoDate,
  issuer: z.string(),
  /** Amount difference per unit line (cents) still counted as rounding. */
  toleranceCents: count,
  invoices: z.array(
    z.strictObject({
      invoiceId: z.uuid(),
      invoiceNumber: z.string(),
      credit: z.boolean(),
      totalCents: cents,
    }),
  ),
  /** The original invoice the settlements refer to (the earliest imported non-credit invoice). */
  primaryInvoice: z.strictObject({ invoiceId: z.uuid(), invoiceNumber: z.string() }),
  /** Net invoiced: originals minus credits. */
  invoicedTotalCents: cents,
  countedAmountCents: cents,
  units: z.array(unitResultSchema),
  discrepancies: z.array(discrepancySchema),
  /** MATCHED when every difference is rounding. */
  status: z.enum(['MATCHED', 'DIFFERENCES']),
  split: z.strictObject({
    basis: z.enum(['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES', 'OWN_INVOICE']),
    keyEffectiveFrom: isoDate.nullable(),
    totalCents: cents,
    parts: z.array(memberPartSchema),
  }),
  calculatedAt: timestamp,
});

/** POST /reconciliations/dry-run: the result, calculated and not stored. */
export const dryRunResponseSchema = reconciliationResultSchema
  .extend({ dryRun: z.literal(true) })
  .describe('A reconciliation calculated without storing anything.');
export type DryRunResponse = z.infer<typeof dryRunResponseSchema>;

/** One stored version of a payer's period. */
export const reconciliationResponseSchema = z
  .strictObject({
    reconciliationId: z.uuid(),
    payerOrganisationId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate,
    /** 1 for the first close; each close after a re-open adds the next version. */
    version: z.number().int().min(1),
    status: z.enum(['MATCHED', 'DIFFERENCES']),
    closedAt: timestamp,
    closedBy: z.string(),
    /** Set when the period was re-opened after this version (the version itself stays). */
    reopenedAt: timestamp.nullable(),
    reopenReason: z.string().nullable(),
    result: reconciliationResultSchema,
  })
  .describe("One closed version of a payer's reconciliation period.");
export type ReconciliationResponse = z.infer<typeof reconciliationResponseSchema>;

/** POST /reconciliations/reopen and GET /reconciliations: versions of one period. */
export const reconciliationListResponseSchema = z.array(reconciliationResponseSchema);

/** Usage that arrived while its period was closed (kept, reported, counted when the period re-opens). */
export const lateUsageSchema = z.strictObject({
  usageId: z.uuid(),
  unit,
  organisationId: z.uuid(),
  occurredAt: timestamp,
  receivedAt: timestamp,
});

/** GET /reconciliations/{id}/discrepancies (format=json). */
export const discrepancyReportResponseSchema = z
  .strictObject({
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
