import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AlternativeRouteReason, MemberRequestStatus } from '@divit/contracts';
import type { EventDescriptorLike, OutgoingEvent } from '@divit/messaging';
import type { SignalKind } from './member-state';

export interface AllocationRow {
  allocationId: string;
  registrationId: string;
  organisationId: string;
  lettingCorporationId: string;
  leaseStartDate: string;
  monthlyRentCents: number;
  exemptionGroup: string | null;
  householdSize: number;
  recordedAt: Date;
  closedOutcome: string | null;
  /** Every member has shared, but the lease year has no income norms yet: decided when they are published. */
  awaitingNormsYear: number | null;
  awaitingNormsSince: Date | null;
}

export interface MemberRequestRow {
  allocationId: string;
  memberId: string;
  role: 'HOME_SEEKER' | 'CO_RESIDENT';
  status: MemberRequestStatus;
  failure: AlternativeRouteReason | null;
  consentId: string | null;
  deadlineAt: Date;
  updatedAt: Date;
  withdrawnAfterDecisionAt: Date | null;
}

export interface SignalRow {
  subjectId: string;
  kind: SignalKind;
  consentId: string;
  failure: AlternativeRouteReason | null;
  occurredAt: Date;
}

export interface IncomeRow {
  sharingId: string;
  subjectId: string;
  consentId: string;
  incomeCents: number;
  incomeKind: string;
  taxYear: number;
  receivedAt: Date;
  used: boolean;
}

export interface DecisionRow {
  allocationId: string;
  decisionId: string;
  outcome: string;
  alternativeRouteReason: string | null;
  failedMemberId: string | null;
  passendCategory: string | null;
  withinPassendLimit: boolean | null;
  passend: boolean | null;
  householdSize: number;
  incomeYear: number | null;
  normVersion: string | null;
  decidedAt: Date;
  evidenceReference: string;
}

/** Rows changed by an UPDATE/DELETE: TypeORM's postgres driver returns [rows, rowCount] for those. */
export function affected(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  throw new Error('expected [rows, rowCount] from an UPDATE or DELETE');
}

export const allocationCols = `allocation_id AS "allocationId", registration_id AS "registrationId",
  organisation_id AS "organisationId", letting_corporation_id AS "lettingCorporationId",
  to_char(lease_start_date, 'YYYY-MM-DD') AS "leaseStartDate", monthly_rent_cents::float8 AS "monthlyRentCents",
  exemption_group AS "exemptionGroup", household_size AS "householdSize", recorded_at AS "recordedAt",
  closed_outcome AS "closedOutcome", awaiting_norms_year AS "awaitingNormsYear",
  awaiting_norms_since AS "awaitingNormsSince"`;

export const decisionCols = `allocation_id AS "allocationId", decision_id AS "decisionId", outcome,
  alternative_route_reason AS "alternativeRouteReason", failed_member_id AS "failedMemberId",
  passend_category AS "passendCategory", within_passend_limit AS "withinPassendLimit", passend,
  household_size AS "householdSize", income_year AS "incomeYear", norm_version AS "normVersion",
  decided_at AS "decidedAt", evidence_reference AS "evidenceReference"`;

export interface StatementRow {
  statementId: string;
  allocation: AllocationRow;
  containsIncome: boolean;
  body: Record<string, unknown>;
  createdAt: Date;
  retainUntil: string | null;
}

/** What the use cases need from storage: the repository itself, or a consumer chunk's ChunkStore. */
export type HouseholdStore = Pick<
  HouseholdsRepository,
  | 'lockAllocation'
  | 'insertAllocation'
  | 'findAllocation'
  | 'closeAllocation'
  | 'setAwaitingNorms'
  | 'insertMemberRequests'
  | 'memberRequests'
  | 'updateMemberRequest'
  | 'markWithdrawnAfterDecision'
  | 'insertSignal'
  | 'signals'
  | 'insertIncome'
  | 'incomes'
  | 'markIncomesUsed'
  | 'deleteUnusedIncomes'
  | 'pensionAge'
  | 'findDecision'
  | 'insertDecision'
  | 'insertStatement'
>;

/** The outbox writer's interface (MessagingRuntime.outbox, or a ChunkStore buffering for its flush). */
export interface OutboxSink {
  add<V>(
    em: EntityManager,
    descriptor: EventDescriptorLike<string, V>,
    event: OutgoingEvent<V>,
  ): Promise<string>;
  addMany<V>(
    em: EntityManager,
    descriptor: EventDescriptorLike<string, V>,
    events: readonly OutgoingEvent<V>[],
  ): Promise<string[]>;
}

/** The only place that speaks SQL to the household tables. Every method runs in the caller's transaction. */
@Injectable()
export class HouseholdsRepository {
  /**
   * Serialises all work on one allocation (consumers of different topics, the expiry sweep, HTTP) for the rest
   * of the transaction, so events arriving in parallel and in any order are reconciled exactly once.
   */
  async lockAllocation(em: EntityManager, allocationId: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7301))`, [allocationId]);
  }

  /** Inserts the allocation; false when it was already there (redelivered or re-announced). */
  async insertAllocation(
    em: EntityManager,
    a: Omit<AllocationRow, 'closedOutcome' | 'awaitingNormsYear' | 'awaitingNormsSince'>,
  ): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `INSERT INTO allocations (allocation_id, registration_id, organisation_id, letting_corporation_id,
         lease_start_date, monthly_rent_cents, exemption_group, household_size, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (allocation_id) DO NOTHING RETURNING allocation_id`,
      [
        a.allocationId,
        a.registrationId,
        a.organisationId,
        a.lettingCorporationId,
        a.leaseStartDate,
        a.monthlyRentCents,
        a.exemptionGroup,
        a.householdSize,
        a.recordedAt,
      ],
    );
    return rows.length === 1;
  }

  async findAllocation(em: EntityManager, allocationId: string): Promise<AllocationRow | undefined> {
    const rows = await em.query<AllocationRow[]>(
      `SELECT ${allocationCols} FROM allocations WHERE allocation_id = $1`,
      [allocationId],
    );
    return rows[0];
  }

  async closeAllocation(em: EntityManager, allocationId: string, outcome: string): Promise<void> {
    await em.query(`UPDATE allocations SET closed_outcome = $2 WHERE allocation_id = $1`, [
      allocationId,
      outcome,
    ]);
  }

  /** Marks the allocation as awaiting the norms of `year` since `since`, or (null) no longer awaiting. */
  async setAwaitingNorms(
    em: EntityManager,
    allocationId: string,
    year: number | null,
    since: Date | null,
  ): Promise<void> {
    await em.query(
      `UPDATE allocations SET awaiting_norms_year = $2, awaiting_norms_since = $3 WHERE allocation_id = $1`,
      [allocationId, year, since],
    );
  }

  /** Undecided allocations awaiting the norms of one of `years` (which now have norms). */
  async awaitingNorms(em: EntityManager, years: number[], limit: number): Promise<string[]> {
    const rows = await em.query<{ id: string }[]>(
      `SELECT a.allocation_id AS id FROM allocations a
       WHERE a.awaiting_norms_year = ANY($1::int[])
         AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.allocation_id = a.allocation_id)
       ORDER BY a.awaiting_norms_since, a.allocation_id LIMIT $2`,
      [years, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Undecided allocations awaiting norms, per lease year (the metric and the runbook). */
  async awaitingNormsCounts(em: EntityManager): Promise<{ leaseYear: number; allocations: number }[]> {
    const rows = await em.query<{ leaseYear: number; allocations: string }[]>(
      `SELECT a.awaiting_norms_year AS "leaseYear", count(*) AS allocations FROM allocations a
       WHERE a.awaiting_norms_year IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.allocation_id = a.allocation_id)
       GROUP BY a.awaiting_norms_year ORDER BY 1`,
    );
    return rows.map((r) => ({ leaseYear: Number(r.leaseYear), allocations: Number(r.allocations) }));
  }

  async insertMemberRequests(em: EntityManager, rows: MemberRequestRow[]): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO member_requests (allocation_id, member_id, role, status, failure, consent_id, deadline_at, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::uuid[],
         $7::timestamptz[], $8::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        rows.map((r) => r.allocationId),
        rows.map((r) => r.memberId),
        rows.map((r) => r.role),
        rows.map((r) => r.status),
        rows.map((r) => r.failure),
        rows.map((r) => r.consentId),
        rows.map((r) => r.deadlineAt),
        rows.map((r) => r.updatedAt),
      ],
    );
  }

  async memberRequests(em: EntityManager, allocationId: string): Promise<MemberRequestRow[]> {
    return em.query<MemberRequestRow[]>(
      `SELECT allocation_id AS "allocationId", member_id AS "memberId", role, status, failure,
         consent_id AS "consentId", deadline_at AS "deadlineAt", updated_at AS "updatedAt",
         withdrawn_after_decision_at AS "withdrawnAfterDecisionAt"
       FROM member_requests WHERE allocation_id = $1 ORDER BY role DESC, member_id`,
      [allocationId],
    );
  }

  async updateMemberRequest(
    em: EntityManager,
    allocationId: string,
    memberId: string,
    s: { status: string; failure: string | null; consentId: string | null; updatedAt: Date },
  ): Promise<void> {
    await em.query(
      `UPDATE member_requests SET status = $3, failure = $4, consent_id = $5, updated_at = $6
       WHERE allocation_id = $1 AND member_id = $2`,
      [allocationId, memberId, s.status, s.failure, s.consentId, s.updatedAt],
    );
  }

  async markWithdrawnAfterDecision(em: EntityManager, allocationId: string, memberId: string, at: Date) {
    await em.query(
      `UPDATE member_requests SET withdrawn_after_decision_at = $3
       WHERE allocation_id = $1 AND member_id = $2 AND withdrawn_after_decision_at IS NULL`,
      [allocationId, memberId, at],
    );
  }

  /** Allocations with a request still waiting past its deadline and no decision yet. */
  async overdueAllocations(em: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows = await em.query<{ id: string }[]>(
      `SELECT DISTINCT mr.allocation_id AS id FROM member_requests mr
       WHERE mr.status IN ('WAITING_FOR_CONSENT', 'WAITING_FOR_SHARING') AND mr.deadline_at <= $1
         AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.allocation_id = mr.allocation_id)
       LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async insertSignal(
    em: EntityManager,
    s: SignalRow & { allocationId: string; registrationId: string },
  ): Promise<void> {
    await em.query(
      `INSERT INTO member_signals (allocation_id, registration_id, subject_id, kind, consent_id, failure, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [s.allocationId, s.registrationId, s.subjectId, s.kind, s.consentId, s.failure, s.occurredAt],
    );
  }

  async signals(em: EntityManager, allocationId: string): Promise<SignalRow[]> {
    return em.query<SignalRow[]>(
      `SELECT subject_id AS "subjectId", kind, consent_id AS "consentId", failure, occurred_at AS "occurredAt"
       FROM member_signals WHERE allocation_id = $1 ORDER BY occurred_at, id`,
      [allocationId],
    );
  }

  /** Stores shared income; false when this sharing was already stored (redelivery). */
  async insertIncome(
    em: EntityManager,
    i: Omit<IncomeRow, 'used'> & { allocationId: string; registrationId: string },
  ): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `INSERT INTO shared_incomes (sharing_id, allocation_id, registration_id, subject_id, consent_id,
         income_cents, income_kind, tax_year, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sharing_id) DO NOTHING RETURNING sharing_id`,
      [
        i.sharingId,
        i.allocationId,
        i.registrationId,
        i.subjectId,
        i.consentId,
        i.incomeCents,
        i.incomeKind,
        i.taxYear,
        i.receivedAt,
      ],
    );
    return rows.length === 1;
  }

  async incomes(em: EntityManager, allocationId: string): Promise<IncomeRow[]> {
    return em.query<IncomeRow[]>(
      `SELECT sharing_id AS "sharingId", subject_id AS "subjectId", consent_id AS "consentId",
         income_cents::float8 AS "incomeCents", income_kind AS "incomeKind", tax_year AS "taxYear",
         received_at AS "receivedAt", used
       FROM shared_incomes WHERE allocation_id = $1 ORDER BY received_at, sharing_id`,
      [allocationId],
    );
  }

  async markIncomesUsed(em: EntityManager, sharingIds: string[]): Promise<void> {
    await em.query(`UPDATE shared_incomes SET used = true WHERE sharing_id = ANY($1::uuid[])`, [sharingIds]);
  }

  /** Erases the allocation's income not used in a completed test; returns the count. */
  async deleteUnusedIncomes(em: EntityManager, allocationId: string): Promise<number> {
    return affected(
      await em.query(`DELETE FROM shared_incomes WHERE allocation_id = $1 AND NOT used`, [allocationId]),
    );
  }

  async pensionAge(em: EntityManager, allocationId: string): Promise<boolean | undefined> {
    const rows = await em.query<{ pensionAge: boolean }[]>(
      `SELECT pension_age AS "pensionAge" FROM pension_age_statements WHERE allocation_id = $1`,
      [allocationId],
    );
    return rows[0]?.pensionAge;
  }

  async statePensionAge(em: EntityManager, allocationId: string, pensionAge: boolean, by: string) {
    await em.query(
      `INSERT INTO pension_age_statements (allocation_id, pension_age, stated_by, stated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (allocation_id) DO UPDATE SET pension_age = $2, stated_by = $3, stated_at = now()`,
      [allocationId, pensionAge, by],
    );
  }

  async findDecision(em: EntityManager, allocationId: string): Promise<DecisionRow | undefined> {
    const rows = await em.query<DecisionRow[]>(
      `SELECT ${decisionCols} FROM decisions WHERE allocation_id = $1`,
      [allocationId],
    );
    return rows[0];
  }

  /** Inserts the decision; false if the allocation already has one (exactly one per allocation). */
  async insertDecision(em: EntityManager, d: DecisionRow): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `INSERT INTO decisions (allocation_id, decision_id, outcome, alternative_route_reason, failed_member_id,
         passend_category, within_passend_limit, passend, household_size, income_year, norm_version, decided_at,
         evidence_reference)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (allocation_id) DO NOTHING RETURNING allocation_id`,
      [
        d.allocationId,
        d.decisionId,
        d.outcome,
        d.alternativeRouteReason,
        d.failedMemberId,
        d.passendCategory,
        d.withinPassendLimit,
        d.passend,
        d.householdSize,
        d.incomeYear,
        d.normVersion,
        d.decidedAt,
        d.evidenceReference,
      ],
    );
    return rows.length === 1;
  }

  async insertStatement(em: EntityManager, s: StatementRow): Promise<void> {
    await em.query(
      `INSERT INTO income_statements (statement_id, allocation_id, organisation_id, letting_corporation_id,
         registration_id, contains_income, body, created_at, retain_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        s.statementId,
        s.allocation.allocationId,
        s.allocation.organisationId,
        s.allocation.lettingCorporationId,
        s.allocation.registrationId,
        s.containsIncome,
        s.body,
        s.createdAt,
        s.retainUntil,
      ],
    );
  }
}
