import { Controller, Get, HttpCode, Post, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import {
  ApiFileResult,
  ApiProblems,
  ApiResult,
  ApiResults,
  CurrentPrincipal,
  Roles,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { ClaimForm, claimFormSchema } from './claim-form';
import {
  callListSchema,
  callParam,
  callResponseSchema,
  callSchema,
  claimListSchema,
  claimParam,
  claimViewSchema,
  createFundSchema,
  decisionSchema,
  entrySchema,
  fundIdParam,
  fundListSchema,
  fundViewSchema,
  leaveSchema,
  ledgerQuery,
  ledgerSchema,
  monitoringQuery,
  monitoringSchema,
  partyParam,
  partyResponseSchema,
  partySchema,
  paymentResultSchema,
  paymentSchema,
  receiptSchema,
  terminationResultSchema,
  terminationSchema,
} from './dto/guarantee-fund.dto';
import * as reports from './fund-reports';
import { GuaranteeFundError } from './guarantee-fund.errors';
import type { CallRow, ClaimRow, FundRow, PartyRow } from './guarantee-fund.repository';
import {
  ClaimView,
  FundView,
  GuaranteeFundService,
  LedgerEntryView,
  PaymentResult,
} from './guarantee-fund.service';

const OWNER_READ_ROLES = [
  'admin',
  'finance',
  'auditor',
  'coordinator',
  'fund-chair',
  'fund-cashier',
  'platform-operator',
] as const;

const file = (body: string | Buffer, type: string, name: string) =>
  new StreamableFile(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), {
    type,
    disposition: `attachment; filename="${name}"`,
  });

/**
 * The guarantee fund (issue 17, ADR 0029). The holder's admin sets the fund up and manages its parties; the
 * cashier (`fund-cashier`) makes calls, books receipts and pays approved claims; the chair (`fund-chair`) decides
 * claims and records termination; a party's own organisation submits claims for itself and reads its statement.
 */
@Controller('guarantee-funds')
export class GuaranteeFundController {
  constructor(
    private readonly funds: GuaranteeFundService,
    private readonly accessLog: AccessLogService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('admin', 'platform-operator')
  @ApiResult(fundViewSchema, { status: 201, description: 'The fund, with no parties yet.' })
  @ApiProblems('FORBIDDEN_ROLE', 'FUND_FORBIDDEN_SCOPE', 'FUND_PARTY_INVALID')
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(createFundSchema) body: z.infer<typeof createFundSchema>,
  ): Promise<FundView> {
    return this.funds.create(principal, body);
  }

  @Get()
  @Roles(...OWNER_READ_ROLES)
  @ApiResult(fundListSchema, { description: "The caller's organisation's funds (the operator: all)." })
  list(@CurrentPrincipal() principal: Principal): Promise<FundRow[]> {
    return this.funds.list(principal);
  }

  @Get(':id')
  @Roles(...OWNER_READ_ROLES)
  @ApiResult(fundViewSchema)
  @ApiProblems({ code: 'FUND_NOT_FOUND', description: "no such fund, or another organisation's" })
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
  ): Promise<FundView> {
    return this.funds.view(principal, p.id);
  }

  /** A party joins from its date: in every call from then on (the split of its group changes from that date). */
  @Post(':id/parties')
  @HttpCode(201)
  @Roles('admin', 'platform-operator')
  @ApiResult(partyResponseSchema, { status: 201 })
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FUND_NOT_FOUND',
    'FUND_TERMINATED',
    'FUND_PARTY_INVALID',
    'FUND_PARTY_EXISTS',
    'FUND_DATE_INVALID',
  )
  join(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
    @ZodBody(partySchema) body: z.infer<typeof partySchema>,
  ): Promise<PartyRow> {
    return this.funds.join(principal, p.id, body);
  }

  /** A party leaves from its date; it gets nothing back. */
  @Post(':id/parties/:partyId/leave')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(partyResponseSchema)
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FUND_NOT_FOUND',
    'FUND_PARTY_NOT_FOUND',
    'FUND_PARTY_NOT_ACTIVE',
    'FUND_TERMINATED',
    'FUND_DATE_INVALID',
  )
  leave(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(partyParam) p: z.infer<typeof partyParam>,
    @ZodBody(leaveSchema) body: z.infer<typeof leaveSchema>,
  ): Promise<PartyRow> {
    return this.funds.leave(principal, p.id, p.partyId, body.leftOn);
  }

  /** A contribution call to every party in the fund on the date (the first is INITIAL, later ones TOP_UP). */
  @Post(':id/calls')
  @HttpCode(201)
  @Roles('fund-cashier', 'platform-operator')
  @ApiResult(callResponseSchema, { status: 201 })
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FUND_NOT_FOUND',
    'FUND_TERMINATED',
    'FUND_DATE_INVALID',
    'FUND_NO_PARTIES',
    'FUND_KEY_EMPTY',
  )
  call(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
    @ZodBody(callSchema) body: z.infer<typeof callSchema>,
  ): Promise<CallRow> {
    return this.funds.call(principal, p.id, body.calledOn);
  }

  @Get(':id/calls')
  @Roles(...OWNER_READ_ROLES)
  @ApiResult(callListSchema)
  @ApiProblems('FUND_NOT_FOUND')
  calls(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
  ): Promise<CallRow[]> {
    return this.funds.calls(principal, p.id);
  }

  /** The cashier books a party's contribution to a call as received (a CONTRIBUTION entry). */
  @Post(':id/calls/:callId/receipts')
  @HttpCode(201)
  @Roles('fund-cashier', 'platform-operator')
  @ApiResult(entrySchema, { status: 201 })
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FUND_NOT_FOUND',
    'FUND_CALL_NOT_FOUND',
    'FUND_PARTY_NOT_FOUND',
    'FUND_PARTY_INVALID',
    'FUND_CONTRIBUTION_RECEIVED',
    'FUND_TERMINATED',
    'FUND_DATE_INVALID',
  )
  receive(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(callParam) p: z.infer<typeof callParam>,
    @ZodBody(receiptSchema) body: z.infer<typeof receiptSchema>,
  ): Promise<LedgerEntryView> {
    return this.funds.receive(principal, p.id, p.callId, body);
  }

  /** Every ledger entry with the balance after it, and the balance on `on` (default: after the last entry). */
  @Get(':id/ledger')
  @Roles(...OWNER_READ_ROLES)
  @ApiResult(ledgerSchema)
  @ApiProblems('FUND_NOT_FOUND')
  async ledger(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
    @ZodQuery(ledgerQuery) q: z.infer<typeof ledgerQuery>,
  ): Promise<{ balanceCents: number; on: string | null; entries: LedgerEntryView[] }> {
    const entries = await this.funds.ledger(principal, p.id);
    const balanceCents = q.on
      ? await this.funds.balanceOn(principal, p.id, q.on)
      : (entries[entries.length - 1]?.balanceAfterCents ?? 0);
    return { balanceCents, on: q.on ?? null, entries };
  }

  /** A claim on the one fixed form: by the holder, or by a party's own organisation for itself. */
  @Post(':id/claims')
  @HttpCode(201)
  @Roles('admin', 'finance', 'coordinator', 'platform-operator')
  @ApiResult(claimViewSchema, {
    status: 201,
    description: 'The claim, with the conditions it does not meet.',
  })
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FUND_NOT_FOUND',
    'FUND_FORBIDDEN_SCOPE',
    'FUND_PARTY_NOT_FOUND',
    'FUND_PARTY_NOT_ACTIVE',
    'FUND_TERMINATED',
    'CLAIM_PERSONAL_DATA',
  )
  submit(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
    @ZodBody(claimFormSchema) body: ClaimForm,
  ): Promise<ClaimView> {
    return this.funds.submit(principal, p.id, body);
  }

  @Get(':id/claims')
  @Roles(...OWNER_READ_ROLES)
  @ApiResult(claimListSchema)
  @ApiProblems('FUND_NOT_FOUND')
  claims(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
  ): Promise<ClaimRow[]> {
    return this.funds.claims(principal, p.id);
  }

  @Get(':id/claims/:claimId')
  @Roles(...OWNER_READ_ROLES)
  @ApiResult(claimViewSchema)
  @ApiProblems('FUND_NOT_FOUND', 'FUND_CLAIM_NOT_FOUND')
  claim(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(claimParam) p: z.infer<typeof claimParam>,
  ): Promise<ClaimView> {
    return this.funds.claim(principal, p.id, p.claimId);
  }

  /** The chair decides, with a reason; approving against the conditions needs a deviation justification. */
  @Post(':id/claims/:claimId/decision')
  @HttpCode(200)
  @Roles('fund-chair')
  @ApiResult(claimViewSchema)
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FUND_NOT_FOUND',
    'FUND_CLAIM_NOT_FOUND',
    'FUND_TERMINATED',
    'CLAIM_STATE',
    'CLAIM_CONDITIONS_NOT_MET',
    'CLAIM_PERSONAL_DATA',
  )
  decide(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(claimParam) p: z.infer<typeof claimParam>,
    @ZodBody(decisionSchema) body: z.infer<typeof decisionSchema>,
  ): Promise<ClaimView> {
    return this.funds.decide(principal, p.id, p.claimId, body);
  }

  /** The cashier pays an approved claim; below the threshold afterwards, the top-up call is made at once. */
  @Post(':id/claims/:claimId/payment')
  @HttpCode(200)
  @Roles('fund-cashier')
  @ApiResult(paymentResultSchema)
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FUND_NOT_FOUND',
    'FUND_CLAIM_NOT_FOUND',
    'FUND_TERMINATED',
    'CLAIM_STATE',
    'FUND_BALANCE_INSUFFICIENT',
    'FUND_DATE_INVALID',
    'FUND_KEY_EMPTY',
  )
  pay(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(claimParam) p: z.infer<typeof claimParam>,
    @ZodBody(paymentSchema) body: z.infer<typeof paymentSchema>,
  ): Promise<PaymentResult> {
    return this.funds.pay(principal, p.id, p.claimId, body.paidOn);
  }

  /** Termination by all parties (recorded by the chair): the balance refunded pro rata to contributions. */
  @Post(':id/termination')
  @HttpCode(200)
  @Roles('fund-chair', 'platform-operator')
  @ApiResult(terminationResultSchema)
  @ApiProblems('FORBIDDEN_ROLE', 'FUND_NOT_FOUND', 'FUND_TERMINATED', 'FUND_DATE_INVALID', 'FUND_KEY_EMPTY')
  terminate(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
    @ZodBody(terminationSchema) body: z.infer<typeof terminationSchema>,
  ): Promise<{ fund: FundView; refunds: LedgerEntryView[] }> {
    return this.funds.terminate(principal, p.id, body);
  }

  /** A party's statement (calls, contributions, payouts, refunds): the holder's roles, or the party itself. */
  @Get(':id/statements/:partyId')
  @Roles(...OWNER_READ_ROLES, 'member')
  @ApiResults(
    { 'text/csv': 'text', 'application/pdf': 'binary' },
    { description: 'The statement: text/csv (format=csv, default) or application/pdf (format=pdf).' },
  )
  @ApiProblems('FUND_NOT_FOUND', 'FUND_PARTY_NOT_FOUND')
  async statement(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(partyParam) p: z.infer<typeof partyParam>,
    @ZodQuery(z.strictObject({ format: z.enum(['csv', 'pdf']).default('csv') })) q: { format: 'csv' | 'pdf' },
  ): Promise<StreamableFile> {
    const fund = await this.funds.fundFor(principal, p.id);
    const snapshot = await this.funds.snapshot(p.id);
    const party = snapshot.parties.find((x) => x.partyId === p.partyId);
    const own = party !== undefined && party.organisationId === principal.organisationId;
    if (!this.funds.actsForOwner(principal, fund) && !own)
      throw new GuaranteeFundError('FUND_PARTY_NOT_FOUND', 'no such party in this fund');
    if (!party) throw new GuaranteeFundError('FUND_PARTY_NOT_FOUND', 'no such party in this fund');
    await this.accessLog.record({
      principal,
      action:
        q.format === 'pdf'
          ? 'GUARANTEE_FUND_STATEMENT_PDF_EXPORTED'
          : 'GUARANTEE_FUND_STATEMENT_CSV_EXPORTED',
      resourceType: 'guarantee-fund-party',
      resourceId: `${p.id}/${p.partyId}`,
      organisationId: fund.ownerOrganisationId,
    });
    return q.format === 'pdf'
      ? file(
          await reports.partyStatementPdf(snapshot, p.partyId),
          'application/pdf',
          `fund-statement-${p.partyId}.pdf`,
        )
      : file(
          reports.partyStatementCsv(snapshot, p.partyId),
          'text/csv; charset=utf-8',
          `fund-statement-${p.partyId}.csv`,
        );
  }

  /** The fund overview: balance, balance history chart, claims and parties (PDF). */
  @Get(':id/overview')
  @Roles(...OWNER_READ_ROLES)
  @ApiFileResult('application/pdf', { description: 'The fund overview with its balance history chart.' })
  @ApiProblems('FUND_NOT_FOUND')
  async overview(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
  ): Promise<StreamableFile> {
    const fund = await this.funds.readable(principal, p.id);
    await this.accessLog.record({
      principal,
      action: 'GUARANTEE_FUND_OVERVIEW_EXPORTED',
      resourceType: 'guarantee-fund',
      resourceId: p.id,
      organisationId: fund.ownerOrganisationId,
    });
    return file(
      await reports.overviewPdf(await this.funds.snapshot(p.id)),
      'application/pdf',
      `fund-overview-${p.id}.pdf`,
    );
  }

  /** The half-yearly monitoring figures (article 8 lid 8). */
  @Get(':id/monitoring')
  @Roles(...OWNER_READ_ROLES)
  @ApiResult(monitoringSchema)
  @ApiProblems('FUND_NOT_FOUND')
  async monitoring(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(fundIdParam) p: { id: string },
    @ZodQuery(monitoringQuery) q: z.infer<typeof monitoringQuery>,
  ): Promise<ReturnType<typeof reports.monitoring>> {
    const fund = await this.funds.readable(principal, p.id);
    await this.accessLog.record({
      principal,
      action: 'GUARANTEE_FUND_MONITORING_READ',
      resourceType: 'guarantee-fund',
      resourceId: p.id,
      organisationId: fund.ownerOrganisationId,
    });
    return reports.monitoring(await this.funds.snapshot(p.id), q.year, q.half as 1 | 2);
  }
}
