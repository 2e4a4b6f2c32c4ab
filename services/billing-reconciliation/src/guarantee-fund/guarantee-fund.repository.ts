import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ClaimCategory } from './claim-form';
import type { PartyKind } from './fund-split';

export interface FundRow {
  fundId: string;
  ownerOrganisationId: string;
  name: string;
  startsOn: string;
  municipalitiesTotalCents: number;
  corporationsTotalCents: number;
  careProviderCents: number;
  thresholdCents: number;
  terminatedOn: string | null;
  terminationReason: string | null;
}

export interface PartyRow {
  partyId: string;
  fundId: string;
  kind: PartyKind;
  name: string;
  organisationId: string | null;
  regionalKey: number | null;
  joinedOn: string;
  leftOn: string | null;
}

export interface CallLineRow {
  partyId: string;
  amountCents: number;
  keyNumerator: number;
  keyDenominator: number;
  /** The contribution entry that received it, or null while unpaid. */
  receivedEntryId: string | null;
  receivedOn: string | null;
}

export interface CallRow {
  callId: string;
  fundId: string;
  kind: 'INITIAL' | 'TOP_UP';
  calledOn: string;
  balanceCents: number;
  triggeredByClaimId: string | null;
  lines: CallLineRow[];
}

export type EntryKind = 'CONTRIBUTION' | 'PAYOUT' | 'REFUND';

export interface EntryRow {
  entryId: string;
  seq: number;
  kind: EntryKind;
  bookedOn: string;
  /** Positive for money in (contribution), negative for money out (payout, refund). */
  signedCents: number;
  partyId: string | null;
  callId: string | null;
  claimId: string | null;
  recordedBy: string;
  recordedAt: string;
}

export type ClaimStatus = 'SUBMITTED' | 'APPROVED' | 'REFUSED' | 'PAID';

export interface ClaimRow {
  claimId: string;
  fundId: string;
  partyId: string;
  caseReference: string;
  tenancyEnd: 'EVICTION' | 'DEPARTURE' | 'OTHER';
  tenancyEndedOn: string;
  amountCents: number;
  depositCents: number;
  categories: { category: ClaimCategory; amountCents: number }[];
  documents: string[];
  evaluation: string | null;
  conditionFailures: string[];
  status: ClaimStatus;
  submittedBy: string;
  submittedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  deviationJustification: string | null;
  paidEntryId: string | null;
  paidBy: string | null;
  paidOn: string | null;
}

export interface ClaimStepRow {
  step: ClaimStatus;
  actor: string;
  actorOrganisationId: string;
  actorRoles: string[];
  detail: Record<string, unknown>;
  occurredAt: string;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
const date = (col: string, as = col.replace(/^.*\./, '')) => `to_char(${col}, 'YYYY-MM-DD') AS ${as}`;

const FUND_COLUMNS = `fund_id, owner_organisation_id, name, ${date('starts_on')},
  municipalities_total_cents, corporations_total_cents, care_provider_cents, threshold_cents,
  ${date('terminated_on')}, termination_reason`;
const PARTY_COLUMNS = `party_id, fund_id, kind, name, organisation_id, regional_key, ${date('joined_on')}, ${date('left_on')}`;
const CLAIM_COLUMNS = `claim_id, fund_id, party_id, case_reference, tenancy_end, ${date('tenancy_ended_on')},
  amount_cents, deposit_cents, categories, documents, evaluation, condition_failures, status, submitted_by,
  submitted_at, decided_by, decided_at, decision_reason, deviation_justification, paid_entry_id, paid_by,
  ${date('paid_on')}`;

type Raw = Record<string, unknown>;

const fundOf = (r: Raw): FundRow => ({
  fundId: String(r.fund_id),
  ownerOrganisationId: String(r.owner_organisation_id),
  name: String(r.name),
  startsOn: String(r.starts_on),
  municipalitiesTotalCents: Number(r.municipalities_total_cents),
  corporationsTotalCents: Number(r.corporations_total_cents),
  careProviderCents: Number(r.care_provider_cents),
  thresholdCents: Number(r.threshold_cents),
  terminatedOn: (r.terminated_on as string | null) ?? null,
  terminationReason: (r.termination_reason as string | null) ?? null,
});

const partyOf = (r: Raw): PartyRow => ({
  partyId: String(r.party_id),
  fundId: String(r.fund_id),
  kind: r.kind as PartyKind,
  name: String(r.name),
  organisationId: (r.organisation_id as string | null) ?? null,
  regionalKey: r.regional_key === null ? null : Number(r.regional_key),
  joinedOn: String(r.joined_on),
  leftOn: (r.left_on as string | null) ?? null,
});

const claimOf = (r: Raw): ClaimRow => ({
  claimId: String(r.claim_id),
  fundId: String(r.fund_id),
  partyId: String(r.party_id),
  caseReference: String(r.case_reference),
  tenancyEnd: r.tenancy_end as ClaimRow['tenancyEnd'],
  tenancyEndedOn: String(r.tenancy_ended_on),
  amountCents: Number(r.amount_cents),
  depositCents: Number(r.deposit_cents),
  categories: r.categories as ClaimRow['categories'],
  documents: r.documents as string[],
  evaluation: (r.evaluation as string | null) ?? null,
  conditionFailures: r.condition_failures as string[],
  status: r.status as ClaimStatus,
  submittedBy: String(r.submitted_by),
  submittedAt: iso(r.submitted_at),
  decidedBy: (r.decided_by as string | null) ?? null,
  decidedAt: r.decided_at ? iso(r.decided_at) : null,
  decisionReason: (r.decision_reason as string | null) ?? null,
  deviationJustification: (r.deviation_justification as string | null) ?? null,
  paidEntryId: (r.paid_entry_id as string | null) ?? null,
  paidBy: (r.paid_by as string | null) ?? null,
  paidOn: (r.paid_on as string | null) ?? null,
});

/** The guarantee fund's tables (ADR 0025: the only place that queries them). */
@Injectable()
export class GuaranteeFundRepository {
  async insertFund(em: EntityManager, f: FundRow, createdBy: string): Promise<void> {
    await em.query(
      `INSERT INTO guarantee_funds (fund_id, owner_organisation_id, name, starts_on, municipalities_total_cents,
         corporations_total_cents, care_provider_cents, threshold_cents, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        f.fundId,
        f.ownerOrganisationId,
        f.name,
        f.startsOn,
        f.municipalitiesTotalCents,
        f.corporationsTotalCents,
        f.careProviderCents,
        f.thresholdCents,
        createdBy,
      ],
    );
  }

  async fund(em: EntityManager, fundId: string, lock = false): Promise<FundRow | null> {
    const rows = await em.query<Raw[]>(
      `SELECT ${FUND_COLUMNS} FROM guarantee_funds WHERE fund_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [fundId],
    );
    return rows[0] ? fundOf(rows[0]) : null;
  }

  async funds(em: EntityManager, owner: string | null): Promise<FundRow[]> {
    const rows = await em.query<Raw[]>(
      `SELECT ${FUND_COLUMNS} FROM guarantee_funds WHERE $1::uuid IS NULL OR owner_organisation_id = $1
        ORDER BY created_at, fund_id`,
      [owner],
    );
    return rows.map(fundOf);
  }

  async terminate(em: EntityManager, fundId: string, on: string, reason: string): Promise<void> {
    await em.query(
      `UPDATE guarantee_funds SET terminated_on = $2, termination_reason = $3 WHERE fund_id = $1`,
      [fundId, on, reason],
    );
  }

  async insertParty(em: EntityManager, p: PartyRow): Promise<void> {
    await em.query(
      `INSERT INTO guarantee_fund_parties (party_id, fund_id, kind, name, organisation_id, regional_key, joined_on)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [p.partyId, p.fundId, p.kind, p.name, p.organisationId, p.regionalKey, p.joinedOn],
    );
  }

  async leave(em: EntityManager, partyId: string, leftOn: string): Promise<void> {
    await em.query(`UPDATE guarantee_fund_parties SET left_on = $2 WHERE party_id = $1`, [partyId, leftOn]);
  }

  async parties(em: EntityManager, fundId: string): Promise<PartyRow[]> {
    const rows = await em.query<Raw[]>(
      `SELECT ${PARTY_COLUMNS} FROM guarantee_fund_parties WHERE fund_id = $1 ORDER BY joined_on, name, party_id`,
      [fundId],
    );
    return rows.map(partyOf);
  }

  /** Parties in the fund on `on`: joined on or before it, not left on or before it. */
  async activeParties(em: EntityManager, fundId: string, on: string): Promise<PartyRow[]> {
    return (await this.parties(em, fundId)).filter(
      (p) => p.joinedOn <= on && (p.leftOn === null || p.leftOn > on),
    );
  }

  async insertCall(
    em: EntityManager,
    call: Omit<CallRow, 'lines'> & { lines: Omit<CallLineRow, 'receivedEntryId' | 'receivedOn'>[] },
    createdBy: string,
  ): Promise<void> {
    await em.query(
      `INSERT INTO guarantee_fund_calls (call_id, fund_id, kind, called_on, balance_cents, triggered_by_claim_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        call.callId,
        call.fundId,
        call.kind,
        call.calledOn,
        call.balanceCents,
        call.triggeredByClaimId,
        createdBy,
      ],
    );
    await em.query(
      `INSERT INTO guarantee_fund_call_lines (call_id, party_id, amount_cents, key_numerator, key_denominator)
       SELECT $1, l.party_id, l.amount_cents, l.key_numerator, l.key_denominator
         FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[])
           AS l(party_id, amount_cents, key_numerator, key_denominator)`,
      [
        call.callId,
        call.lines.map((l) => l.partyId),
        call.lines.map((l) => l.amountCents),
        call.lines.map((l) => l.keyNumerator),
        call.lines.map((l) => l.keyDenominator),
      ],
    );
  }

  async calls(em: EntityManager, fundId: string, callId?: string): Promise<CallRow[]> {
    const rows = await em.query<Raw[]>(
      `SELECT c.call_id, c.fund_id, c.kind, ${date('c.called_on', 'called_on')}, c.balance_cents, c.triggered_by_claim_id,
              l.party_id, l.amount_cents, l.key_numerator, l.key_denominator,
              e.entry_id AS received_entry_id, ${date('e.booked_on', 'received_on')}
         FROM guarantee_fund_calls c
         JOIN guarantee_fund_call_lines l ON l.call_id = c.call_id
         LEFT JOIN guarantee_fund_entries e
           ON e.call_id = l.call_id AND e.party_id = l.party_id AND e.kind = 'CONTRIBUTION'
        WHERE c.fund_id = $1 AND ($2::uuid IS NULL OR c.call_id = $2)
        ORDER BY c.seq, l.party_id`,
      [fundId, callId ?? null],
    );
    const calls = new Map<string, CallRow>();
    for (const r of rows) {
      const id = String(r.call_id);
      let call = calls.get(id);
      if (!call) {
        call = {
          callId: id,
          fundId: String(r.fund_id),
          kind: r.kind as CallRow['kind'],
          calledOn: String(r.called_on),
          balanceCents: Number(r.balance_cents),
          triggeredByClaimId: (r.triggered_by_claim_id as string | null) ?? null,
          lines: [],
        };
        calls.set(id, call);
      }
      call.lines.push({
        partyId: String(r.party_id),
        amountCents: Number(r.amount_cents),
        keyNumerator: Number(r.key_numerator),
        keyDenominator: Number(r.key_denominator),
        receivedEntryId: (r.received_entry_id as string | null) ?? null,
        receivedOn: (r.received_on as string | null) ?? null,
      });
    }
    return [...calls.values()];
  }

  /** Whether the fund has a top-up call with a line not yet received (then no second top-up is called). */
  async openTopUp(em: EntityManager, fundId: string): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `SELECT 1 FROM guarantee_fund_calls c JOIN guarantee_fund_call_lines l ON l.call_id = c.call_id
        WHERE c.fund_id = $1 AND c.kind = 'TOP_UP' AND l.amount_cents > 0
          AND NOT EXISTS (SELECT 1 FROM guarantee_fund_entries e
                           WHERE e.call_id = l.call_id AND e.party_id = l.party_id AND e.kind = 'CONTRIBUTION')
        LIMIT 1`,
      [fundId],
    );
    return rows.length > 0;
  }

  async insertEntry(
    em: EntityManager,
    e: {
      entryId: string;
      fundId: string;
      kind: EntryKind;
      bookedOn: string;
      amountCents: number;
      partyId: string | null;
      callId: string | null;
      claimId: string | null;
    },
    recordedBy: string,
  ): Promise<void> {
    await em.query(
      `INSERT INTO guarantee_fund_entries (entry_id, fund_id, kind, booked_on, amount_cents, party_id, call_id, claim_id, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.entryId, e.fundId, e.kind, e.bookedOn, e.amountCents, e.partyId, e.callId, e.claimId, recordedBy],
    );
  }

  async entries(em: EntityManager, fundId: string): Promise<EntryRow[]> {
    const rows = await em.query<Raw[]>(
      `SELECT entry_id, seq, kind, ${date('booked_on')}, amount_cents, party_id, call_id, claim_id, recorded_by, recorded_at
         FROM guarantee_fund_entries WHERE fund_id = $1 ORDER BY booked_on, seq`,
      [fundId],
    );
    return rows.map((r) => ({
      entryId: String(r.entry_id),
      seq: Number(r.seq),
      kind: r.kind as EntryKind,
      bookedOn: String(r.booked_on),
      signedCents: (r.kind === 'CONTRIBUTION' ? 1 : -1) * Number(r.amount_cents),
      partyId: (r.party_id as string | null) ?? null,
      callId: (r.call_id as string | null) ?? null,
      claimId: (r.claim_id as string | null) ?? null,
      recordedBy: String(r.recorded_by),
      recordedAt: iso(r.recorded_at),
    }));
  }

  /** The balance at the end of `on` (every entry booked on or before it), cents. */
  async balanceOn(em: EntityManager, fundId: string, on: string): Promise<number> {
    const rows = await em.query<{ b: string }[]>(
      `SELECT coalesce(sum(CASE WHEN kind = 'CONTRIBUTION' THEN amount_cents ELSE -amount_cents END), 0) AS b
         FROM guarantee_fund_entries WHERE fund_id = $1 AND booked_on <= $2::date`,
      [fundId, on],
    );
    return Number(rows[0]?.b ?? 0);
  }

  /** The latest booking date of the fund's ledger (null when empty). */
  async lastBookedOn(em: EntityManager, fundId: string): Promise<string | null> {
    const rows = await em.query<{ d: string | null }[]>(
      `SELECT to_char(max(booked_on), 'YYYY-MM-DD') AS d FROM guarantee_fund_entries WHERE fund_id = $1`,
      [fundId],
    );
    return rows[0]?.d ?? null;
  }

  async insertClaim(em: EntityManager, c: ClaimRow): Promise<void> {
    await em.query(
      `INSERT INTO guarantee_fund_claims (claim_id, fund_id, party_id, case_reference, tenancy_end, tenancy_ended_on,
         amount_cents, deposit_cents, categories, documents, evaluation, condition_failures, status, submitted_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'SUBMITTED', $13)`,
      [
        c.claimId,
        c.fundId,
        c.partyId,
        c.caseReference,
        c.tenancyEnd,
        c.tenancyEndedOn,
        c.amountCents,
        c.depositCents,
        JSON.stringify(c.categories),
        c.documents,
        c.evaluation,
        c.conditionFailures,
        c.submittedBy,
      ],
    );
  }

  async claim(em: EntityManager, claimId: string, lock = false): Promise<ClaimRow | null> {
    const rows = await em.query<Raw[]>(
      `SELECT ${CLAIM_COLUMNS} FROM guarantee_fund_claims WHERE claim_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [claimId],
    );
    return rows[0] ? claimOf(rows[0]) : null;
  }

  async claims(em: EntityManager, fundId: string): Promise<ClaimRow[]> {
    const rows = await em.query<Raw[]>(
      `SELECT ${CLAIM_COLUMNS} FROM guarantee_fund_claims WHERE fund_id = $1 ORDER BY submitted_at, claim_id`,
      [fundId],
    );
    return rows.map(claimOf);
  }

  async decide(
    em: EntityManager,
    claimId: string,
    d: { status: 'APPROVED' | 'REFUSED'; by: string; reason: string; deviation: string | null },
  ): Promise<void> {
    await em.query(
      `UPDATE guarantee_fund_claims SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4,
         deviation_justification = $5 WHERE claim_id = $1 AND status = 'SUBMITTED'`,
      [claimId, d.status, d.by, d.reason, d.deviation],
    );
  }

  async paid(em: EntityManager, claimId: string, entryId: string, by: string, on: string): Promise<void> {
    await em.query(
      `UPDATE guarantee_fund_claims SET status = 'PAID', paid_entry_id = $2, paid_by = $3, paid_on = $4
        WHERE claim_id = $1 AND status = 'APPROVED'`,
      [claimId, entryId, by, on],
    );
  }

  async step(
    em: EntityManager,
    claimId: string,
    step: ClaimStatus,
    actor: { subject: string; organisationId: string; roles: readonly string[] },
    detail: Record<string, unknown>,
  ): Promise<void> {
    await em.query(
      `INSERT INTO guarantee_fund_claim_steps (claim_id, step, actor, actor_organisation_id, actor_roles, detail)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [claimId, step, actor.subject, actor.organisationId, actor.roles, JSON.stringify(detail)],
    );
  }

  async steps(em: EntityManager, claimId: string): Promise<ClaimStepRow[]> {
    const rows = await em.query<Raw[]>(
      `SELECT step, actor, actor_organisation_id, actor_roles, detail, occurred_at
         FROM guarantee_fund_claim_steps WHERE claim_id = $1 ORDER BY step_id`,
      [claimId],
    );
    return rows.map((r) => ({
      step: r.step as ClaimStatus,
      actor: String(r.actor),
      actorOrganisationId: String(r.actor_organisation_id),
      actorRoles: r.actor_roles as string[],
      detail: r.detail as Record<string, unknown>,
      occurredAt: iso(r.occurred_at),
    }));
  }
}
