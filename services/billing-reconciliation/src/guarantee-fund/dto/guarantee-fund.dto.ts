import { z } from 'zod';
import { plainText } from '@divit/service-kit';
import type { Assert, Describes } from '@divit/service-kit';
import { isoDate } from '../../common/dates';
import { CLAIM_CATEGORIES, TENANCY_ENDS } from '../claim-form';
import { PARTY_KINDS } from '../fund-split';
import type { CallRow, ClaimRow, FundRow, PartyRow } from '../guarantee-fund.repository';
import type { ClaimView, FundView, LedgerEntryView, PaymentResult } from '../guarantee-fund.service';

/** The most a fund's configured amounts may be (cents): € 100,000,000. */
export const FUND_MAX_CENTS = 10_000_000_000;
const configCents = z.number().int().min(0).max(FUND_MAX_CENTS);
const cents = z.number().int();
const timestamp = z.iso.datetime();

// ------------------------------------------------------------------ requests

export const createFundSchema = z.strictObject({
  ownerOrganisationId: z
    .uuid()
    .describe('The organisation that holds the fund (its region: its housing stock counts).'),
  name: plainText({ min: 3, max: 200 }),
  startsOn: isoDate,
  municipalitiesTotalCents: configCents
    .optional()
    .describe("Municipalities' joint amount per call; default 5000000 (€ 50,000)."),
  corporationsTotalCents: configCents
    .optional()
    .describe("Corporations' joint amount per call; default 5000000 (€ 50,000)."),
  careProviderCents: configCents
    .optional()
    .describe('Each care provider per call; default 100000 (€ 1,000).'),
  thresholdCents: configCents
    .optional()
    .describe('Below this balance a top-up call is made; default 2500000 (€ 25,000).'),
});

export const partySchema = z.strictObject({
  kind: z.enum(PARTY_KINDS),
  name: plainText({ min: 2, max: 200 }).describe("The organisation's name (no person's name)."),
  organisationId: z
    .uuid()
    .optional()
    .describe('The platform organisation; required for a corporation (its housing stock).'),
  regionalKey: z
    .number()
    .int()
    .min(0)
    .max(1_000_000_000)
    .optional()
    .describe("A municipality's weight in the regional key (required for a municipality)."),
  joinedOn: isoDate.describe('From this date the party is in every call.'),
});

export const leaveSchema = z.strictObject({ leftOn: isoDate });
export const callSchema = z.strictObject({ calledOn: isoDate });
export const receiptSchema = z.strictObject({ partyId: z.uuid(), receivedOn: isoDate });
export const decisionSchema = z.strictObject({
  decision: z.enum(['APPROVE', 'REFUSE']),
  reason: plainText({ min: 3, max: 2000, multiline: true }),
  deviationJustification: plainText({ min: 10, max: 2000, multiline: true })
    .optional()
    .describe("Required to approve a claim that does not meet the agreement's conditions (article 7 lid 9)."),
});
export const paymentSchema = z.strictObject({ paidOn: isoDate });
export const terminationSchema = z.strictObject({
  terminatedOn: isoDate,
  reason: plainText({ min: 3, max: 2000, multiline: true }),
});
export const fundIdParam = z.strictObject({ id: z.uuid() });
export const partyParam = z.strictObject({ id: z.uuid(), partyId: z.uuid() });
export const callParam = z.strictObject({ id: z.uuid(), callId: z.uuid() });
export const claimParam = z.strictObject({ id: z.uuid(), claimId: z.uuid() });
export const ledgerQuery = z.strictObject({
  on: isoDate.optional().describe('The balance at the end of this date.'),
});
export const monitoringQuery = z.strictObject({
  year: z.coerce.number().int().min(2020).max(2199),
  half: z.coerce.number().int().min(1).max(2),
});

// ------------------------------------------------------------------ responses

export const fundSchema = z
  .object({
    fundId: z.uuid(),
    ownerOrganisationId: z.uuid(),
    name: z.string(),
    startsOn: isoDate,
    municipalitiesTotalCents: cents,
    corporationsTotalCents: cents,
    careProviderCents: cents,
    thresholdCents: cents,
    terminatedOn: isoDate.nullable(),
    terminationReason: z.string().nullable(),
  })
  .meta({ id: 'GuaranteeFund', description: 'A guarantee fund and its configured amounts (euro cents).' });

export const partyResponseSchema = z
  .object({
    partyId: z.uuid(),
    fundId: z.uuid(),
    kind: z.enum(PARTY_KINDS),
    name: z.string(),
    organisationId: z.uuid().nullable(),
    regionalKey: z.number().int().nullable(),
    joinedOn: isoDate,
    leftOn: isoDate.nullable(),
  })
  .meta({ id: 'GuaranteeFundParty', description: 'A party of the fund, with its membership dates.' });

export const fundViewSchema = fundSchema
  .extend({
    balanceCents: cents.describe('The balance after the last entry.'),
    parties: z.array(partyResponseSchema),
  })
  .meta({ id: 'GuaranteeFundView', description: 'A fund with its parties and current balance.' });
export const fundListSchema = z.array(fundSchema);

export const callResponseSchema = z
  .object({
    callId: z.uuid(),
    fundId: z.uuid(),
    kind: z.enum(['INITIAL', 'TOP_UP']),
    calledOn: isoDate,
    balanceCents: cents.describe('The balance on the call date.'),
    triggeredByClaimId: z
      .uuid()
      .nullable()
      .describe('The paid claim that took the balance below the threshold.'),
    lines: z.array(
      z.object({
        partyId: z.uuid(),
        amountCents: cents,
        keyNumerator: cents,
        keyDenominator: cents,
        receivedEntryId: z.uuid().nullable(),
        receivedOn: isoDate.nullable(),
      }),
    ),
  })
  .meta({ id: 'GuaranteeFundCall', description: "A contribution call with each party's amount." });
export const callListSchema = z.array(callResponseSchema);

export const entrySchema = z
  .object({
    entryId: z.uuid(),
    seq: z.number().int(),
    kind: z.enum(['CONTRIBUTION', 'PAYOUT', 'REFUND']),
    bookedOn: isoDate,
    signedCents: cents.describe('Positive: money in; negative: money out.'),
    partyId: z.uuid().nullable(),
    callId: z.uuid().nullable(),
    claimId: z.uuid().nullable(),
    recordedBy: z.string(),
    recordedAt: timestamp,
    balanceAfterCents: cents,
  })
  .meta({ id: 'GuaranteeFundEntry', description: 'An immutable ledger entry with the balance after it.' });
export const ledgerSchema = z
  .object({
    balanceCents: cents.describe('The balance on `on` (or after the last entry).'),
    on: isoDate.nullable(),
    entries: z.array(entrySchema),
  })
  .meta({ id: 'GuaranteeFundLedger' });

const category = z.object({ category: z.enum(CLAIM_CATEGORIES), amountCents: cents });
export const claimSchema = z
  .object({
    claimId: z.uuid(),
    fundId: z.uuid(),
    partyId: z.uuid(),
    caseReference: z.string(),
    tenancyEnd: z.enum(TENANCY_ENDS),
    tenancyEndedOn: isoDate,
    amountCents: cents,
    depositCents: cents,
    categories: z.array(category),
    documents: z.array(z.string()),
    evaluation: z.string().nullable(),
    conditionFailures: z.array(z.string()).describe("The agreement's conditions the claim does not meet."),
    status: z.enum(['SUBMITTED', 'APPROVED', 'REFUSED', 'PAID']),
    submittedBy: z.string(),
    submittedAt: timestamp,
    decidedBy: z.string().nullable(),
    decidedAt: timestamp.nullable(),
    decisionReason: z.string().nullable(),
    deviationJustification: z.string().nullable(),
    paidEntryId: z.uuid().nullable(),
    paidBy: z.string().nullable(),
    paidOn: isoDate.nullable(),
  })
  .meta({ id: 'GuaranteeFundClaim', description: 'A claim on the fund (pseudonymous: no name or BSN).' });
export const claimListSchema = z.array(claimSchema);
export const claimViewSchema = claimSchema
  .extend({
    steps: z.array(
      z.object({
        step: z.enum(['SUBMITTED', 'APPROVED', 'REFUSED', 'PAID']),
        actor: z.string(),
        actorOrganisationId: z.string(),
        actorRoles: z.array(z.string()),
        detail: z.record(z.string(), z.unknown()),
        occurredAt: timestamp,
      }),
    ),
  })
  .meta({ id: 'GuaranteeFundClaimView', description: 'A claim with every audited step.' });

export const paymentResultSchema = z
  .object({
    claim: claimViewSchema,
    balanceCents: cents,
    topUpCall: callResponseSchema
      .nullable()
      .describe('The top-up call created at once when the balance fell below the threshold.'),
  })
  .meta({ id: 'GuaranteeFundPayment' });

export const terminationResultSchema = z
  .object({ fund: fundViewSchema, refunds: z.array(entrySchema) })
  .meta({ id: 'GuaranteeFundTermination' });

export const monitoringSchema = z
  .object({
    fundId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate,
    openingBalanceCents: cents,
    closingBalanceCents: cents,
    contributionsCents: cents,
    payoutsCents: cents,
    refundsCents: cents,
    callsMade: z.number().int(),
    topUpCalls: z.number().int(),
    claimsSubmitted: z.number().int(),
    claimsApproved: z.number().int(),
    claimsApprovedWithDeviation: z.number().int(),
    claimsRefused: z.number().int(),
    claimsPaid: z.number().int(),
    claimsOpen: z
      .number()
      .int()
      .describe('Submitted or approved and not yet decided or paid at the period end.'),
    paidByCategoryCents: z.record(z.enum(CLAIM_CATEGORIES), cents),
    evictions: z.number().int().describe('Claims submitted in the period for a tenancy ended by eviction.'),
    departures: z.number().int().describe('Claims submitted in the period for a tenancy ended by departure.'),
    partiesAtEnd: z.record(z.enum(PARTY_KINDS), z.number().int()),
  })
  .meta({
    id: 'GuaranteeFundMonitoring',
    description: 'The half-yearly monitoring figures (article 8 lid 8): money and claims of one half year.',
  });

type _Fund = Assert<Describes<typeof fundSchema, FundRow>>;
type _Party = Assert<Describes<typeof partyResponseSchema, PartyRow>>;
type _View = Assert<Describes<typeof fundViewSchema, FundView>>;
type _Call = Assert<Describes<typeof callResponseSchema, CallRow>>;
type _Entry = Assert<Describes<typeof entrySchema, LedgerEntryView>>;
type _Claim = Assert<Describes<typeof claimSchema, ClaimRow>>;
type _ClaimView = Assert<Describes<typeof claimViewSchema, ClaimView>>;
type _Payment = Assert<Describes<typeof paymentResultSchema, PaymentResult>>;
