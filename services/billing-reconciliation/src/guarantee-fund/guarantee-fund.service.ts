import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { GuaranteeFundContributionCalledEvent, GuaranteeFundEntryRecordedEvent } from '@divit/contracts';
import { AccessLogService } from '@divit/access-log';
import { isPlatformOperator, MessagingRuntime } from '@divit/service-kit';
import type { Principal, Role } from '@divit/service-kit';
import { todayInAmsterdam } from '../common/dates';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import { bsnLikeFields, ClaimForm, conditionFailures } from './claim-form';
import { callLines, CallParty, FundKeyEmptyError, PartyKind, refundShares } from './fund-split';
import { GuaranteeFundError } from './guarantee-fund.errors';
import {
  CallRow,
  ClaimRow,
  ClaimStepRow,
  EntryKind,
  EntryRow,
  FundRow,
  GuaranteeFundRepository,
  PartyRow,
} from './guarantee-fund.repository';

/** The Woonkans agreement's figures (article 7 lid 3-6), the defaults of a new fund. */
export const WOONKANS_AMOUNTS = {
  municipalitiesTotalCents: 5_000_000,
  corporationsTotalCents: 5_000_000,
  careProviderCents: 100_000,
  thresholdCents: 2_500_000,
} as const;

export interface FundConfig {
  ownerOrganisationId: string;
  name: string;
  startsOn: string;
  municipalitiesTotalCents?: number | undefined;
  corporationsTotalCents?: number | undefined;
  careProviderCents?: number | undefined;
  thresholdCents?: number | undefined;
}

export interface PartyInput {
  kind: PartyKind;
  name: string;
  organisationId?: string | undefined;
  regionalKey?: number | undefined;
  joinedOn: string;
}

export interface FundView extends FundRow {
  balanceCents: number;
  parties: PartyRow[];
}

export interface LedgerEntryView extends EntryRow {
  balanceAfterCents: number;
}

export interface ClaimView extends ClaimRow {
  steps: ClaimStepRow[];
}

export interface PaymentResult {
  claim: ClaimView;
  balanceCents: number;
  /** The top-up call created at once because the payout took the balance below the threshold (else null). */
  topUpCall: CallRow | null;
}

/** Roles of the fund holder's organisation that read the whole fund. */
const OWNER_READERS: readonly Role[] = [
  'admin',
  'finance',
  'auditor',
  'coordinator',
  'fund-chair',
  'fund-cashier',
];

/**
 * The guarantee fund (issue 17, ADR 0029): a second kind of shared cost on billing's split engine. The fund
 * belongs to the organisation that holds it (its owner, the collaboration whose region's housing stock counts);
 * its roles act on it, the platform operator on every fund; another organisation sees a fund of someone else as
 * missing (404). A party's own organisation reads its own statement and may submit claims for itself.
 *
 * Every money movement is one immutable ledger entry, booked in date order, written with its event in one
 * transaction (outbox). A payout that takes the balance below the threshold creates the top-up call at once.
 */
@Injectable()
export class GuaranteeFundService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: GuaranteeFundRepository,
    private readonly organisations: OrganisationsRepository,
    private readonly accessLog: AccessLogService,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
  ) {}

  // ------------------------------------------------------------------ funds and parties

  async create(principal: Principal, config: FundConfig): Promise<FundView> {
    if (!isPlatformOperator(principal) && principal.organisationId !== config.ownerOrganisationId)
      throw new GuaranteeFundError(
        'FUND_FORBIDDEN_SCOPE',
        'outside your organisation: a fund is set up by its own holder',
      );
    const fundId = randomUUID();
    await this.dataSource.transaction(async (em) => {
      if (!(await this.organisations.exists(em, config.ownerOrganisationId)))
        throw new GuaranteeFundError('FUND_PARTY_INVALID', 'the owner organisation is not registered', {
          field: 'ownerOrganisationId',
        });
      await this.repository.insertFund(
        em,
        {
          fundId,
          ownerOrganisationId: config.ownerOrganisationId,
          name: config.name,
          startsOn: config.startsOn,
          municipalitiesTotalCents:
            config.municipalitiesTotalCents ?? WOONKANS_AMOUNTS.municipalitiesTotalCents,
          corporationsTotalCents: config.corporationsTotalCents ?? WOONKANS_AMOUNTS.corporationsTotalCents,
          careProviderCents: config.careProviderCents ?? WOONKANS_AMOUNTS.careProviderCents,
          thresholdCents: config.thresholdCents ?? WOONKANS_AMOUNTS.thresholdCents,
          terminatedOn: null,
          terminationReason: null,
        },
        principal.subject,
      );
      await this.accessLog.record(
        entry(principal, 'GUARANTEE_FUND_CREATED', fundId, config.ownerOrganisationId),
        em,
      );
    });
    return this.view(principal, fundId);
  }

  async list(principal: Principal): Promise<FundRow[]> {
    return this.repository.funds(
      this.dataSource.manager,
      isPlatformOperator(principal) ? null : principal.organisationId,
    );
  }

  async view(principal: Principal, fundId: string, em = this.dataSource.manager): Promise<FundView> {
    const fund = await this.readable(principal, fundId, em);
    const last = (await this.repository.lastBookedOn(em, fundId)) ?? fund.startsOn;
    return {
      ...fund,
      balanceCents: await this.repository.balanceOn(em, fundId, last),
      parties: await this.repository.parties(em, fundId),
    };
  }

  async join(principal: Principal, fundId: string, input: PartyInput): Promise<PartyRow> {
    const partyId = randomUUID();
    await this.dataSource.transaction(async (em) => {
      const fund = await this.writable(principal, fundId, em);
      if (input.joinedOn < fund.startsOn)
        throw new GuaranteeFundError(
          'FUND_DATE_INVALID',
          `a party joins on or after the fund's start (${fund.startsOn})`,
        );
      if (input.kind === 'MUNICIPALITY' && input.regionalKey === undefined)
        throw new GuaranteeFundError(
          'FUND_PARTY_INVALID',
          'a municipality needs its regional key (regionalKey)',
          {
            field: 'regionalKey',
          },
        );
      if (input.kind !== 'MUNICIPALITY' && input.regionalKey !== undefined)
        throw new GuaranteeFundError('FUND_PARTY_INVALID', 'only a municipality has a regional key', {
          field: 'regionalKey',
        });
      if (input.kind === 'CORPORATION' && input.organisationId === undefined)
        throw new GuaranteeFundError(
          'FUND_PARTY_INVALID',
          'a corporation is named by its organisation id (its housing stock in the region sets its share)',
          { field: 'organisationId' },
        );
      if (input.organisationId !== undefined) {
        if (!(await this.organisations.exists(em, input.organisationId)))
          throw new GuaranteeFundError('FUND_PARTY_INVALID', 'the organisation is not registered', {
            field: 'organisationId',
          });
        if (
          (await this.repository.parties(em, fundId)).some((p) => p.organisationId === input.organisationId)
        )
          throw new GuaranteeFundError(
            'FUND_PARTY_EXISTS',
            'this organisation is already a party of the fund',
          );
      }
      await this.repository.insertParty(em, {
        partyId,
        fundId,
        kind: input.kind,
        name: input.name,
        organisationId: input.organisationId ?? null,
        regionalKey: input.regionalKey ?? null,
        joinedOn: input.joinedOn,
        leftOn: null,
      });
      await this.accessLog.record(
        {
          ...entry(
            principal,
            'GUARANTEE_FUND_PARTY_JOINED',
            `${fundId}/${partyId}`,
            fund.ownerOrganisationId,
          ),
          resourceType: 'guarantee-fund-party',
        },
        em,
      );
    });
    return this.party(principal, fundId, partyId);
  }

  /** A party leaves from `leftOn`: not in calls from that date, and nothing of its contributions comes back. */
  async leave(principal: Principal, fundId: string, partyId: string, leftOn: string): Promise<PartyRow> {
    await this.dataSource.transaction(async (em) => {
      const fund = await this.writable(principal, fundId, em);
      const party = (await this.repository.parties(em, fundId)).find((p) => p.partyId === partyId);
      if (!party) throw new GuaranteeFundError('FUND_PARTY_NOT_FOUND', 'no such party in this fund');
      if (party.leftOn !== null)
        throw new GuaranteeFundError('FUND_PARTY_NOT_ACTIVE', `the party left on ${party.leftOn}`);
      if (leftOn <= party.joinedOn)
        throw new GuaranteeFundError(
          'FUND_DATE_INVALID',
          `a party leaves after it joined (${party.joinedOn})`,
        );
      await this.repository.leave(em, partyId, leftOn);
      await this.accessLog.record(
        {
          ...entry(principal, 'GUARANTEE_FUND_PARTY_LEFT', `${fundId}/${partyId}`, fund.ownerOrganisationId),
          resourceType: 'guarantee-fund-party',
        },
        em,
      );
    });
    return this.party(principal, fundId, partyId);
  }

  async party(principal: Principal, fundId: string, partyId: string): Promise<PartyRow> {
    await this.readable(principal, fundId);
    const party = (await this.repository.parties(this.dataSource.manager, fundId)).find(
      (p) => p.partyId === partyId,
    );
    if (!party) throw new GuaranteeFundError('FUND_PARTY_NOT_FOUND', 'no such party in this fund');
    return party;
  }

  // ------------------------------------------------------------------ contributions

  /** A contribution call to every party in the fund on `calledOn`, each with its amount. */
  async call(principal: Principal, fundId: string, calledOn: string): Promise<CallRow> {
    const callId = await this.dataSource.transaction(async (em) => {
      const fund = await this.writable(principal, fundId, em);
      if (calledOn < fund.startsOn)
        throw new GuaranteeFundError(
          'FUND_DATE_INVALID',
          `a call is made on or after the fund's start (${fund.startsOn})`,
        );
      const kind = (await this.repository.calls(em, fundId)).length === 0 ? 'INITIAL' : 'TOP_UP';
      return this.createCall(em, principal, fund, calledOn, kind, null);
    });
    return (await this.repository.calls(this.dataSource.manager, fundId, callId))[0] as CallRow;
  }

  async calls(principal: Principal, fundId: string): Promise<CallRow[]> {
    await this.readable(principal, fundId);
    return this.repository.calls(this.dataSource.manager, fundId);
  }

  private async createCall(
    em: EntityManager,
    principal: Principal,
    fund: FundRow,
    calledOn: string,
    kind: CallRow['kind'],
    claimId: string | null,
  ): Promise<string> {
    const parties = await this.repository.activeParties(em, fund.fundId, calledOn);
    if (parties.length === 0)
      throw new GuaranteeFundError('FUND_NO_PARTIES', `the fund has no parties on ${calledOn}`);
    const stock = await this.organisations.housingStockWeights(em, fund.ownerOrganisationId, calledOn);
    const callParties: CallParty[] = parties.map((p) => ({
      partyId: p.partyId,
      kind: p.kind,
      weight:
        p.kind === 'MUNICIPALITY'
          ? (p.regionalKey ?? 0)
          : p.kind === 'CORPORATION'
            ? (stock[p.organisationId ?? ''] ?? 0)
            : 1,
    }));
    let lines;
    try {
      lines = callLines(callParties, fund);
    } catch (e) {
      if (e instanceof FundKeyEmptyError) throw new GuaranteeFundError('FUND_KEY_EMPTY', e.message);
      throw e;
    }
    const callId = randomUUID();
    const balanceCents = await this.repository.balanceOn(em, fund.fundId, calledOn);
    await this.repository.insertCall(
      em,
      { callId, fundId: fund.fundId, kind, calledOn, balanceCents, triggeredByClaimId: claimId, lines },
      principal.subject,
    );
    const byId = new Map(parties.map((p) => [p.partyId, p]));
    await this.messaging.outbox.addMany(
      em,
      GuaranteeFundContributionCalledEvent,
      lines.map((l) => ({
        key: fund.fundId,
        value: {
          callId,
          fundId: fund.fundId,
          ownerOrganisationId: fund.ownerOrganisationId,
          callKind: kind,
          calledOn,
          partyId: l.partyId,
          partyKind: l.kind,
          partyOrganisationId: byId.get(l.partyId)?.organisationId ?? null,
          amountCents: l.amountCents,
          keyShareNumerator: l.keyNumerator,
          keyShareDenominator: l.keyDenominator,
          balanceCents,
          thresholdCents: fund.thresholdCents,
          currency: 'EUR',
          occurredAt: Date.now(),
        },
      })),
    );
    await this.accessLog.record(
      {
        ...entry(
          principal,
          'GUARANTEE_FUND_CALL_CREATED',
          `${fund.fundId}/${callId}`,
          fund.ownerOrganisationId,
        ),
        resourceType: 'guarantee-fund-call',
      },
      em,
    );
    return callId;
  }

  /** The cashier books a party's contribution to a call as received (the line's whole amount). */
  async receive(
    principal: Principal,
    fundId: string,
    callId: string,
    input: { partyId: string; receivedOn: string },
  ): Promise<LedgerEntryView> {
    const entryId = await this.dataSource.transaction(async (em) => {
      const fund = await this.writable(principal, fundId, em);
      const call = (await this.repository.calls(em, fundId, callId))[0];
      if (!call) throw new GuaranteeFundError('FUND_CALL_NOT_FOUND', 'no such call in this fund');
      const line = call.lines.find((l) => l.partyId === input.partyId);
      if (!line) throw new GuaranteeFundError('FUND_PARTY_NOT_FOUND', 'this party has no line in this call');
      if (line.receivedEntryId !== null)
        throw new GuaranteeFundError('FUND_CONTRIBUTION_RECEIVED', `received already on ${line.receivedOn}`, {
          entryId: line.receivedEntryId,
        });
      if (line.amountCents === 0)
        throw new GuaranteeFundError('FUND_PARTY_INVALID', 'nothing is due on this line (amount 0)');
      if (input.receivedOn < call.calledOn)
        throw new GuaranteeFundError('FUND_DATE_INVALID', `received before the call (${call.calledOn})`);
      return this.book(em, principal, fund, 'CONTRIBUTION', input.receivedOn, line.amountCents, {
        partyId: input.partyId,
        callId,
        claimId: null,
      });
    });
    return (await this.ledger(principal, fundId)).find((e) => e.entryId === entryId) as LedgerEntryView;
  }

  /**
   * One immutable ledger entry with its event. Entries are booked in date order (never before the last one),
   * so the balance at any date is the sum of the entries booked up to it.
   */
  private async book(
    em: EntityManager,
    principal: Principal,
    fund: FundRow,
    kind: EntryKind,
    bookedOn: string,
    amountCents: number,
    refs: { partyId: string | null; callId: string | null; claimId: string | null },
  ): Promise<string> {
    const last = await this.repository.lastBookedOn(em, fund.fundId);
    if (last !== null && bookedOn < last)
      throw new GuaranteeFundError(
        'FUND_DATE_INVALID',
        `the ledger is booked in date order: the last entry is of ${last}`,
        { lastBookedOn: last },
      );
    if (bookedOn < fund.startsOn)
      throw new GuaranteeFundError('FUND_DATE_INVALID', `booked before the fund's start (${fund.startsOn})`);
    const entryId = randomUUID();
    await this.repository.insertEntry(
      em,
      { entryId, fundId: fund.fundId, kind, bookedOn, amountCents, ...refs },
      principal.subject,
    );
    const balanceAfter = await this.repository.balanceOn(em, fund.fundId, bookedOn);
    await this.messaging.outbox.add(em, GuaranteeFundEntryRecordedEvent, {
      key: fund.fundId,
      value: {
        entryId,
        fundId: fund.fundId,
        ownerOrganisationId: fund.ownerOrganisationId,
        kind,
        bookedOn,
        amountCents,
        balanceAfterCents: balanceAfter,
        partyId: refs.partyId,
        callId: refs.callId,
        claimId: refs.claimId,
        currency: 'EUR',
        occurredAt: Date.now(),
      },
    });
    return entryId;
  }

  /** Every entry in booking order, with the balance after it; the balance at a date is that of its last entry. */
  async ledger(
    principal: Principal,
    fundId: string,
    em = this.dataSource.manager,
  ): Promise<LedgerEntryView[]> {
    await this.readable(principal, fundId, em);
    let balance = 0;
    return (await this.repository.entries(em, fundId)).map((e) => {
      balance += e.signedCents;
      return { ...e, balanceAfterCents: balance };
    });
  }

  async balanceOn(principal: Principal, fundId: string, on: string): Promise<number> {
    await this.readable(principal, fundId);
    return this.repository.balanceOn(this.dataSource.manager, fundId, on);
  }

  // ------------------------------------------------------------------ claims

  async submit(principal: Principal, fundId: string, form: ClaimForm): Promise<ClaimView> {
    const leaks = bsnLikeFields({
      caseReference: form.caseReference,
      documents: form.documents.join(' '),
      evaluation: form.evaluation,
    });
    if (leaks.length > 0)
      throw new GuaranteeFundError(
        'CLAIM_PERSONAL_DATA',
        'a claim holds no BSN or other personal data: use the pseudonymous case reference',
        { fields: leaks },
      );
    const claimId = randomUUID();
    await this.dataSource.transaction(async (em) => {
      const fund = await this.fundFor(principal, fundId, em, 'submit');
      if (fund.terminatedOn !== null)
        throw new GuaranteeFundError('FUND_TERMINATED', `the fund was terminated on ${fund.terminatedOn}`);
      const party = (await this.repository.parties(em, fundId)).find((p) => p.partyId === form.partyId);
      if (!party) throw new GuaranteeFundError('FUND_PARTY_NOT_FOUND', 'no such party in this fund');
      if (!this.actsForOwner(principal, fund) && party.organisationId !== principal.organisationId)
        throw new GuaranteeFundError('FUND_FORBIDDEN_SCOPE', 'you may only claim for your own organisation');
      if (party.leftOn !== null)
        throw new GuaranteeFundError('FUND_PARTY_NOT_ACTIVE', `the party left the fund on ${party.leftOn}`);
      const failures = conditionFailures(form);
      await this.repository.insertClaim(em, {
        claimId,
        fundId,
        partyId: form.partyId,
        caseReference: form.caseReference,
        tenancyEnd: form.tenancyEnd,
        tenancyEndedOn: form.tenancyEndedOn,
        amountCents: form.amountCents,
        depositCents: form.depositCents,
        categories: form.categories,
        documents: form.documents,
        evaluation: form.evaluation ?? null,
        conditionFailures: failures,
        status: 'SUBMITTED',
        submittedBy: principal.subject,
        submittedAt: '',
        decidedBy: null,
        decidedAt: null,
        decisionReason: null,
        deviationJustification: null,
        paidEntryId: null,
        paidBy: null,
        paidOn: null,
      });
      await this.repository.step(em, claimId, 'SUBMITTED', principal, {
        amountCents: form.amountCents,
        conditionFailures: failures,
      });
      await this.accessLog.record(claimEntry(principal, 'GUARANTEE_FUND_CLAIM_SUBMITTED', fund, claimId), em);
    });
    return this.claimView(this.dataSource.manager, claimId);
  }

  /**
   * The chair approves or refuses with a reason. Approving a claim that fails the agreement's conditions needs
   * a recorded justification (article 7 lid 9); without it: 422 CLAIM_CONDITIONS_NOT_MET.
   */
  async decide(
    principal: Principal,
    fundId: string,
    claimId: string,
    d: { decision: 'APPROVE' | 'REFUSE'; reason: string; deviationJustification?: string | undefined },
  ): Promise<ClaimView> {
    const leaks = bsnLikeFields({ reason: d.reason, deviationJustification: d.deviationJustification });
    if (leaks.length > 0)
      throw new GuaranteeFundError('CLAIM_PERSONAL_DATA', 'a decision holds no BSN or other personal data', {
        fields: leaks,
      });
    await this.dataSource.transaction(async (em) => {
      const fund = await this.writable(principal, fundId, em);
      const claim = await this.claimOf(em, fundId, claimId, true);
      if (claim.status !== 'SUBMITTED')
        throw new GuaranteeFundError(
          'CLAIM_STATE',
          `the claim is ${claim.status}; only a submitted claim is decided`,
        );
      const deviates = d.decision === 'APPROVE' && claim.conditionFailures.length > 0;
      if (deviates && !d.deviationJustification)
        throw new GuaranteeFundError(
          'CLAIM_CONDITIONS_NOT_MET',
          "the claim does not meet the agreement's conditions: approve it only with a deviationJustification",
          { conditionFailures: claim.conditionFailures },
        );
      const status = d.decision === 'APPROVE' ? 'APPROVED' : 'REFUSED';
      const deviation = deviates ? (d.deviationJustification ?? null) : null;
      await this.repository.decide(em, claimId, {
        status,
        by: principal.subject,
        reason: d.reason,
        deviation,
      });
      await this.repository.step(em, claimId, status, principal, {
        reason: d.reason,
        deviationJustification: deviation,
        conditionFailures: claim.conditionFailures,
      });
      await this.accessLog.record(
        claimEntry(
          principal,
          d.decision === 'APPROVE' ? 'GUARANTEE_FUND_CLAIM_APPROVED' : 'GUARANTEE_FUND_CLAIM_REFUSED',
          fund,
          claimId,
        ),
        em,
      );
    });
    return this.claimView(this.dataSource.manager, claimId);
  }

  /**
   * The cashier pays an approved claim: a PAYOUT entry. When the balance after it is below the threshold and no
   * top-up call is still open, a top-up call to every party is created in the same transaction.
   */
  async pay(principal: Principal, fundId: string, claimId: string, paidOn: string): Promise<PaymentResult> {
    const topUpId = await this.dataSource.transaction(async (em) => {
      const fund = await this.writable(principal, fundId, em);
      const claim = await this.claimOf(em, fundId, claimId, true);
      if (claim.status !== 'APPROVED')
        throw new GuaranteeFundError(
          'CLAIM_STATE',
          `the claim is ${claim.status}; only an approved claim is paid`,
        );
      const last = (await this.repository.lastBookedOn(em, fundId)) ?? fund.startsOn;
      const balance = await this.repository.balanceOn(em, fundId, paidOn > last ? paidOn : last);
      if (balance < claim.amountCents)
        throw new GuaranteeFundError('FUND_BALANCE_INSUFFICIENT', 'the fund holds less than the claim', {
          balanceCents: balance,
          amountCents: claim.amountCents,
        });
      const entryId = await this.book(em, principal, fund, 'PAYOUT', paidOn, claim.amountCents, {
        partyId: claim.partyId,
        callId: null,
        claimId,
      });
      await this.repository.paid(em, claimId, entryId, principal.subject, paidOn);
      await this.repository.step(em, claimId, 'PAID', principal, {
        entryId,
        paidOn,
        amountCents: claim.amountCents,
      });
      await this.accessLog.record(claimEntry(principal, 'GUARANTEE_FUND_CLAIM_PAID', fund, claimId), em);
      const after = balance - claim.amountCents;
      if (after < fund.thresholdCents && !(await this.repository.openTopUp(em, fundId)))
        return this.createCall(em, principal, fund, paidOn, 'TOP_UP', claimId);
      return null;
    });
    const em = this.dataSource.manager;
    const claim = await this.claimView(em, claimId);
    return {
      claim,
      balanceCents: await this.repository.balanceOn(em, fundId, claim.paidOn ?? paidOn),
      topUpCall: topUpId ? ((await this.repository.calls(em, fundId, topUpId))[0] ?? null) : null,
    };
  }

  async claims(principal: Principal, fundId: string): Promise<ClaimRow[]> {
    const fund = await this.readable(principal, fundId);
    const claims = await this.repository.claims(this.dataSource.manager, fundId);
    await this.accessLog.record({
      ...entry(principal, 'GUARANTEE_FUND_CLAIMS_READ', fundId, fund.ownerOrganisationId),
    });
    return claims;
  }

  async claim(principal: Principal, fundId: string, claimId: string): Promise<ClaimView> {
    const fund = await this.readable(principal, fundId);
    await this.claimOf(this.dataSource.manager, fundId, claimId);
    await this.accessLog.record(claimEntry(principal, 'GUARANTEE_FUND_CLAIM_READ', fund, claimId));
    return this.claimView(this.dataSource.manager, claimId);
  }

  // ------------------------------------------------------------------ termination

  /**
   * Termination by all parties: the balance on `terminatedOn` is refunded to the parties still in the fund, pro
   * rata to what each contributed (largest remainder, adds up to the cent); a party that left gets nothing.
   */
  async terminate(
    principal: Principal,
    fundId: string,
    input: { terminatedOn: string; reason: string },
  ): Promise<{ fund: FundView; refunds: LedgerEntryView[] }> {
    await this.dataSource.transaction(async (em) => {
      const fund = await this.writable(principal, fundId, em);
      const last = await this.repository.lastBookedOn(em, fundId);
      if (last !== null && input.terminatedOn < last)
        throw new GuaranteeFundError('FUND_DATE_INVALID', `terminated before the last entry (${last})`);
      const balance = await this.repository.balanceOn(em, fundId, input.terminatedOn);
      const remaining = await this.repository.activeParties(em, fundId, input.terminatedOn);
      const contributed: Record<string, number> = Object.fromEntries(remaining.map((p) => [p.partyId, 0]));
      for (const e of await this.repository.entries(em, fundId))
        if (e.kind === 'CONTRIBUTION' && e.partyId !== null && e.partyId in contributed)
          contributed[e.partyId] = (contributed[e.partyId] ?? 0) + e.signedCents;
      let shares: Record<string, number>;
      try {
        shares = refundShares(balance, contributed);
      } catch (e) {
        if (e instanceof FundKeyEmptyError) throw new GuaranteeFundError('FUND_KEY_EMPTY', e.message);
        throw e;
      }
      for (const [partyId, cents] of Object.entries(shares).sort(([a], [b]) => (a < b ? -1 : 1)))
        if (cents > 0)
          await this.book(em, principal, fund, 'REFUND', input.terminatedOn, cents, {
            partyId,
            callId: null,
            claimId: null,
          });
      await this.repository.terminate(em, fundId, input.terminatedOn, input.reason);
      await this.accessLog.record(
        entry(principal, 'GUARANTEE_FUND_TERMINATED', fundId, fund.ownerOrganisationId),
        em,
      );
    });
    return {
      fund: await this.view(principal, fundId),
      refunds: (await this.ledger(principal, fundId)).filter((e) => e.kind === 'REFUND'),
    };
  }

  // ------------------------------------------------------------------ access

  actsForOwner(principal: Principal, fund: Pick<FundRow, 'ownerOrganisationId'>): boolean {
    return isPlatformOperator(principal) || principal.organisationId === fund.ownerOrganisationId;
  }

  /** The fund for a reader of its holder (or the operator); anyone else: as missing. */
  async readable(principal: Principal, fundId: string, em = this.dataSource.manager): Promise<FundRow> {
    const fund = await this.repository.fund(em, fundId);
    if (!fund || !this.actsForOwner(principal, fund) || !principal.roles.some((r) => isOwnerReader(r)))
      throw new GuaranteeFundError('FUND_NOT_FOUND', 'no guarantee fund with this id');
    return fund;
  }

  /** The fund, locked, for a change by its holder (or the operator); not terminated. */
  private async writable(principal: Principal, fundId: string, em: EntityManager): Promise<FundRow> {
    const fund = await this.repository.fund(em, fundId, true);
    if (!fund || !this.actsForOwner(principal, fund))
      throw new GuaranteeFundError('FUND_NOT_FOUND', 'no guarantee fund with this id');
    if (fund.terminatedOn !== null)
      throw new GuaranteeFundError('FUND_TERMINATED', `the fund was terminated on ${fund.terminatedOn}`);
    return fund;
  }

  /**
   * The fund for a claim submission or a party's own statement: its holder, or an organisation that is a party.
   * Anyone else sees it as missing.
   */
  async fundFor(
    principal: Principal,
    fundId: string,
    em: EntityManager = this.dataSource.manager,
    _purpose: 'submit' | 'statement' = 'statement',
  ): Promise<FundRow> {
    const fund = await this.repository.fund(em, fundId);
    if (fund && this.actsForOwner(principal, fund)) return fund;
    if (
      fund &&
      (await this.repository.parties(em, fundId)).some((p) => p.organisationId === principal.organisationId)
    )
      return fund;
    throw new GuaranteeFundError('FUND_NOT_FOUND', 'no guarantee fund with this id');
  }

  private async claimOf(em: EntityManager, fundId: string, claimId: string, lock = false): Promise<ClaimRow> {
    const claim = await this.repository.claim(em, claimId, lock);
    if (!claim || claim.fundId !== fundId)
      throw new GuaranteeFundError('FUND_CLAIM_NOT_FOUND', 'no such claim in this fund');
    return claim;
  }

  private async claimView(em: EntityManager, claimId: string): Promise<ClaimView> {
    const claim = await this.repository.claim(em, claimId);
    if (!claim) throw new GuaranteeFundError('FUND_CLAIM_NOT_FOUND', 'no such claim');
    return { ...claim, steps: await this.repository.steps(em, claimId) };
  }

  /** Everything the reports need, read in one snapshot. */
  async snapshot(fundId: string) {
    return this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const fund = await this.repository.fund(em, fundId);
      if (!fund) throw new GuaranteeFundError('FUND_NOT_FOUND', 'no guarantee fund with this id');
      let balance = 0;
      const entries = (await this.repository.entries(em, fundId)).map((e) => {
        balance += e.signedCents;
        return { ...e, balanceAfterCents: balance };
      });
      return {
        fund,
        parties: await this.repository.parties(em, fundId),
        calls: await this.repository.calls(em, fundId),
        entries,
        claims: await this.repository.claims(em, fundId),
        today: todayInAmsterdam(),
      };
    });
  }
}

function isOwnerReader(role: Role): boolean {
  return OWNER_READERS.includes(role) || role === 'platform-operator';
}

function entry(principal: Principal, action: string, resourceId: string, organisationId: string) {
  return { principal, action, resourceType: 'guarantee-fund', resourceId, organisationId };
}

function claimEntry(principal: Principal, action: string, fund: FundRow, claimId: string) {
  return {
    principal,
    action,
    resourceType: 'guarantee-fund-claim',
    resourceId: `${fund.fundId}/${claimId}`,
    organisationId: fund.ownerOrganisationId,
  };
}
