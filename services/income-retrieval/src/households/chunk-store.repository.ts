import { EntityManager } from 'typeorm';
import { eventId } from '@divit/messaging';
import type { EventDescriptorLike, OutgoingEvent } from '@divit/messaging';
import type { NormsLookup } from '../norms/norms.service';
import {
  AllocationRow,
  allocationCols,
  DecisionRow,
  decisionCols,
  HouseholdStore,
  IncomeRow,
  MemberRequestRow,
  OutboxSink,
  SignalRow,
  StatementRow,
} from './households.repository';

interface Household {
  allocation: AllocationRow | undefined;
  allocationDirty: boolean;
  members: MemberRequestRow[];
  dirtyMembers: Set<string>;
  /** Stored signals in (occurred_at, id) order, then the new ones in arrival order. */
  signals: SignalRow[];
  decision: DecisionRow | undefined;
  pensionAge: boolean | undefined;
}

interface IncomeEntry {
  row: IncomeRow;
  allocationId: string;
  registrationId: string;
  fromDb: boolean;
  usedDirty: boolean;
}

interface NewSignal extends SignalRow {
  allocationId: string;
  registrationId: string;
}

interface BufferedOutbox {
  descriptor: EventDescriptorLike<string, unknown>;
  events: OutgoingEvent<unknown>[];
}

const byMemberOrder = (a: MemberRequestRow, b: MemberRequestRow) =>
  // ORDER BY role DESC, member_id
  a.role === b.role ? cmp(a.memberId, b.memberId) : cmp(b.role, a.role);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A consumer chunk's view of the household tables: loads every allocation the chunk touches in a handful of
 * set-based queries, lets the use cases run event by event exactly as they would against the database (same
 * reads-after-writes, same ON CONFLICT outcomes), and writes the net result back with one statement per table.
 * Only valid while the chunk's transaction holds the advisory locks of all its allocations (`load` takes them).
 */
export class ChunkStore implements HouseholdStore, OutboxSink {
  private readonly households = new Map<string, Household>();
  /** Rows of shared_incomes that exist (stored or new), by sharing id. */
  private readonly incomeRows = new Map<string, IncomeEntry>();
  private readonly deletedIncomes = new Set<string>();
  private readonly newAllocations = new Set<string>();
  private readonly newSignals: NewSignal[] = [];
  private readonly newDecisions: DecisionRow[] = [];
  private readonly newStatements: StatementRow[] = [];
  private readonly outboxBuffer: BufferedOutbox[] = [];
  /** The norms as this chunk's transaction read them (one query per chunk, NormsService.forLeaseStart). */
  readonly norms: NormsLookup = {};

  /** Locks the allocations (in a fixed order, so concurrent chunks cannot deadlock) and loads their rows. */
  async load(em: EntityManager, allocationIds: string[], sharingIds: string[]): Promise<void> {
    const ids = [...new Set(allocationIds)];
    await em.query(
      `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(id, 7301) AS k
         FROM unnest($1::text[]) id) s ORDER BY k`,
      [ids],
    );
    for (const id of ids)
      this.households.set(id, {
        allocation: undefined,
        allocationDirty: false,
        members: [],
        dirtyMembers: new Set(),
        signals: [],
        decision: undefined,
        pensionAge: undefined,
      });
    const h = (id: string) => this.households.get(id) as Household;
    for (const a of await em.query<AllocationRow[]>(
      `SELECT ${allocationCols} FROM allocations WHERE allocation_id = ANY($1::uuid[])`,
      [ids],
    ))
      h(a.allocationId).allocation = a;
    for (const m of await em.query<MemberRequestRow[]>(
      `SELECT allocation_id AS "allocationId", member_id AS "memberId", role, status, failure,
         consent_id AS "consentId", deadline_at AS "deadlineAt", updated_at AS "updatedAt",
         withdrawn_after_decision_at AS "withdrawnAfterDecisionAt"
       FROM member_requests WHERE allocation_id = ANY($1::uuid[]) ORDER BY allocation_id, role DESC, member_id`,
      [ids],
    ))
      h(m.allocationId).members.push(m);
    for (const s of await em.query<(SignalRow & { allocationId: string })[]>(
      `SELECT allocation_id AS "allocationId", subject_id AS "subjectId", kind, consent_id AS "consentId",
         failure, occurred_at AS "occurredAt"
       FROM member_signals WHERE allocation_id = ANY($1::uuid[]) ORDER BY occurred_at, id`,
      [ids],
    )) {
      const { allocationId, ...signal } = s;
      h(allocationId).signals.push(signal);
    }
    for (const i of await em.query<(IncomeRow & { allocationId: string; registrationId: string })[]>(
      `SELECT sharing_id AS "sharingId", allocation_id AS "allocationId", registration_id AS "registrationId",
         subject_id AS "subjectId", consent_id AS "consentId", income_cents::float8 AS "incomeCents",
         income_kind AS "incomeKind", tax_year AS "taxYear", received_at AS "receivedAt", used
       FROM shared_incomes WHERE allocation_id = ANY($1::uuid[]) OR sharing_id = ANY($2::uuid[])`,
      [ids, [...new Set(sharingIds)]],
    )) {
      const { allocationId, registrationId, ...row } = i;
      this.incomeRows.set(row.sharingId, {
        row,
        allocationId,
        registrationId,
        fromDb: true,
        usedDirty: false,
      });
    }
    for (const d of await em.query<DecisionRow[]>(
      `SELECT ${decisionCols} FROM decisions WHERE allocation_id = ANY($1::uuid[])`,
      [ids],
    ))
      h(d.allocationId).decision = d;
    for (const p of await em.query<{ allocationId: string; pensionAge: boolean }[]>(
      `SELECT allocation_id AS "allocationId", pension_age AS "pensionAge"
       FROM pension_age_statements WHERE allocation_id = ANY($1::uuid[])`,
      [ids],
    ))
      h(p.allocationId).pensionAge = p.pensionAge;
  }

  private household(allocationId: string): Household {
    const h = this.households.get(allocationId);
    if (!h) throw new Error('allocation not loaded into this chunk (it must be locked in load())');
    return h;
  }

  lockAllocation(_em: EntityManager, allocationId: string): Promise<void> {
    this.household(allocationId); // locked in load()
    return Promise.resolve();
  }

  insertAllocation(
    _em: EntityManager,
    a: Omit<AllocationRow, 'closedOutcome' | 'awaitingNormsYear' | 'awaitingNormsSince'>,
  ): Promise<boolean> {
    const h = this.household(a.allocationId);
    if (h.allocation) return Promise.resolve(false);
    h.allocation = { ...a, closedOutcome: null, awaitingNormsYear: null, awaitingNormsSince: null };
    h.allocationDirty = true;
    this.newAllocations.add(a.allocationId);
    return Promise.resolve(true);
  }

  findAllocation(_em: EntityManager, allocationId: string): Promise<AllocationRow | undefined> {
    const a = this.household(allocationId).allocation;
    return Promise.resolve(a ? { ...a } : undefined);
  }

  closeAllocation(_em: EntityManager, allocationId: string, outcome: string): Promise<void> {
    const h = this.household(allocationId);
    if (h.allocation) {
      h.allocation.closedOutcome = outcome;
      h.allocationDirty = true;
    }
    return Promise.resolve();
  }

  setAwaitingNorms(
    _em: EntityManager,
    allocationId: string,
    year: number | null,
    since: Date | null,
  ): Promise<void> {
    const h = this.household(allocationId);
    if (h.allocation) {
      h.allocation.awaitingNormsYear = year;
      h.allocation.awaitingNormsSince = since;
      h.allocationDirty = true;
    }
    return Promise.resolve();
  }

  insertMemberRequests(_em: EntityManager, rows: MemberRequestRow[]): Promise<void> {
    for (const r of rows) {
      const h = this.household(r.allocationId);
      if (h.members.some((m) => m.memberId === r.memberId)) continue; // ON CONFLICT DO NOTHING
      h.members.push({ ...r });
      h.dirtyMembers.add(r.memberId);
    }
    for (const r of rows) this.household(r.allocationId).members.sort(byMemberOrder);
    return Promise.resolve();
  }

  memberRequests(_em: EntityManager, allocationId: string): Promise<MemberRequestRow[]> {
    return Promise.resolve(this.household(allocationId).members.map((m) => ({ ...m })));
  }

  updateMemberRequest(
    _em: EntityManager,
    allocationId: string,
    memberId: string,
    s: { status: string; failure: string | null; consentId: string | null; updatedAt: Date },
  ): Promise<void> {
    const h = this.household(allocationId);
    const m = h.members.find((x) => x.memberId === memberId);
    if (m) {
      m.status = s.status as MemberRequestRow['status'];
      m.failure = s.failure as MemberRequestRow['failure'];
      m.consentId = s.consentId;
      m.updatedAt = s.updatedAt;
      h.dirtyMembers.add(memberId);
    }
    return Promise.resolve();
  }

  markWithdrawnAfterDecision(_em: EntityManager, allocationId: string, memberId: string, at: Date) {
    const h = this.household(allocationId);
    const m = h.members.find((x) => x.memberId === memberId);
    if (m && m.withdrawnAfterDecisionAt === null) {
      m.withdrawnAfterDecisionAt = at;
      h.dirtyMembers.add(memberId);
    }
    return Promise.resolve();
  }

  insertSignal(_em: EntityManager, s: SignalRow & { allocationId: string; registrationId: string }) {
    const { allocationId, registrationId: _registrationId, ...signal } = s;
    this.household(allocationId).signals.push(signal);
    this.newSignals.push(s);
    return Promise.resolve();
  }

  signals(_em: EntityManager, allocationId: string): Promise<SignalRow[]> {
    // ORDER BY occurred_at, id: a stable sort keeps stored-then-arrival order among equal times.
    const rows = this.household(allocationId).signals.map((s) => ({ ...s }));
    rows.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    return Promise.resolve(rows);
  }

  insertIncome(
    _em: EntityManager,
    i: Omit<IncomeRow, 'used'> & { allocationId: string; registrationId: string },
  ): Promise<boolean> {
    if (this.incomeRows.has(i.sharingId)) return Promise.resolve(false); // ON CONFLICT (sharing_id) DO NOTHING
    this.household(i.allocationId);
    const { allocationId, registrationId, ...row } = i;
    this.incomeRows.set(i.sharingId, {
      row: { ...row, used: false },
      allocationId,
      registrationId,
      fromDb: false,
      usedDirty: false,
    });
    return Promise.resolve(true);
  }

  private incomesOf(allocationId: string): IncomeEntry[] {
    return [...this.incomeRows.values()].filter((e) => e.allocationId === allocationId);
  }

  incomes(_em: EntityManager, allocationId: string): Promise<IncomeRow[]> {
    const rows = this.incomesOf(allocationId).map((e) => ({ ...e.row }));
    rows.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || cmp(a.sharingId, b.sharingId));
    return Promise.resolve(rows);
  }

  markIncomesUsed(_em: EntityManager, sharingIds: string[]): Promise<void> {
    for (const id of sharingIds) {
      const e = this.incomeRows.get(id);
      if (e && !e.row.used) {
        e.row.used = true;
        e.usedDirty = true;
      }
    }
    return Promise.resolve();
  }

  deleteUnusedIncomes(_em: EntityManager, allocationId: string): Promise<number> {
    let n = 0;
    for (const e of this.incomesOf(allocationId)) {
      if (e.row.used) continue;
      this.incomeRows.delete(e.row.sharingId);
      if (e.fromDb) this.deletedIncomes.add(e.row.sharingId);
      n++;
    }
    return Promise.resolve(n);
  }

  pensionAge(_em: EntityManager, allocationId: string): Promise<boolean | undefined> {
    return Promise.resolve(this.household(allocationId).pensionAge);
  }

  findDecision(_em: EntityManager, allocationId: string): Promise<DecisionRow | undefined> {
    const d = this.household(allocationId).decision;
    return Promise.resolve(d ? { ...d } : undefined);
  }

  insertDecision(_em: EntityManager, d: DecisionRow): Promise<boolean> {
    const h = this.household(d.allocationId);
    if (h.decision) return Promise.resolve(false); // ON CONFLICT (allocation_id) DO NOTHING
    h.decision = { ...d };
    this.newDecisions.push(d);
    return Promise.resolve(true);
  }

  insertStatement(_em: EntityManager, s: StatementRow): Promise<void> {
    this.newStatements.push(s);
    return Promise.resolve();
  }

  add<V>(_em: EntityManager, descriptor: EventDescriptorLike<string, V>, event: OutgoingEvent<V>) {
    return this.addMany(_em, descriptor, [event]).then((ids) => ids[0] as string);
  }

  addMany<V>(
    _em: EntityManager,
    descriptor: EventDescriptorLike<string, V>,
    events: readonly OutgoingEvent<V>[],
  ): Promise<string[]> {
    // Stamped as the outbox writer would: time-ordered (v7) event ids, the time the event was added.
    const stamped = events.map((e) => ({ ...e, id: e.id ?? eventId(), time: e.time ?? new Date() }));
    if (stamped.length > 0)
      this.outboxBuffer.push({
        descriptor: descriptor,
        events: stamped,
      });
    return Promise.resolve(stamped.map((e) => e.id));
  }

  /** Writes the chunk's net changes: one statement per table, then the outbox (in order per event type). */
  async flush(em: EntityManager, outbox: OutboxSink): Promise<void> {
    const allocations = [...this.households.values()]
      .filter((h) => h.allocationDirty && h.allocation)
      .map((h) => h.allocation as AllocationRow);
    if (allocations.length > 0)
      await em.query(
        `INSERT INTO allocations (allocation_id, registration_id, organisation_id, letting_corporation_id,
           lease_start_date, monthly_rent_cents, exemption_group, household_size, recorded_at, closed_outcome,
           awaiting_norms_year, awaiting_norms_since)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::date[], $6::bigint[],
           $7::varchar[], $8::smallint[], $9::timestamptz[], $10::varchar[], $11::smallint[], $12::timestamptz[])
         ON CONFLICT (allocation_id) DO UPDATE SET closed_outcome = EXCLUDED.closed_outcome,
           awaiting_norms_year = EXCLUDED.awaiting_norms_year, awaiting_norms_since = EXCLUDED.awaiting_norms_since`,
        [
          allocations.map((a) => a.allocationId),
          allocations.map((a) => a.registrationId),
          allocations.map((a) => a.organisationId),
          allocations.map((a) => a.lettingCorporationId),
          allocations.map((a) => a.leaseStartDate),
          allocations.map((a) => a.monthlyRentCents),
          allocations.map((a) => a.exemptionGroup),
          allocations.map((a) => a.householdSize),
          allocations.map((a) => a.recordedAt),
          allocations.map((a) => a.closedOutcome),
          allocations.map((a) => a.awaitingNormsYear),
          allocations.map((a) => a.awaitingNormsSince),
        ],
      );
    const members = [...this.households.values()].flatMap((h) =>
      h.members.filter((m) => h.dirtyMembers.has(m.memberId)),
    );
    if (members.length > 0)
      await em.query(
        `INSERT INTO member_requests (allocation_id, member_id, role, status, failure, consent_id, deadline_at,
           updated_at, withdrawn_after_decision_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::uuid[],
           $7::timestamptz[], $8::timestamptz[], $9::timestamptz[])
         ON CONFLICT (allocation_id, member_id) DO UPDATE SET status = EXCLUDED.status,
           failure = EXCLUDED.failure, consent_id = EXCLUDED.consent_id, updated_at = EXCLUDED.updated_at,
           withdrawn_after_decision_at = EXCLUDED.withdrawn_after_decision_at`,
        [
          members.map((m) => m.allocationId),
          members.map((m) => m.memberId),
          members.map((m) => m.role),
          members.map((m) => m.status),
          members.map((m) => m.failure),
          members.map((m) => m.consentId),
          members.map((m) => m.deadlineAt),
          members.map((m) => m.updatedAt),
          members.map((m) => m.withdrawnAfterDecisionAt),
        ],
      );
    const signals = this.newSignals;
    if (signals.length > 0)
      await em.query(
        // WITH ORDINALITY … ORDER BY: the serial ids follow arrival order, as one INSERT per event would.
        `INSERT INTO member_signals (allocation_id, registration_id, subject_id, kind, consent_id, failure, occurred_at)
         SELECT a, r, s, k, c, f, o FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::uuid[],
           $6::varchar[], $7::timestamptz[]) WITH ORDINALITY AS t(a, r, s, k, c, f, o, n) ORDER BY n`,
        [
          signals.map((s) => s.allocationId),
          signals.map((s) => s.registrationId),
          signals.map((s) => s.subjectId),
          signals.map((s) => s.kind),
          signals.map((s) => s.consentId),
          signals.map((s) => s.failure),
          signals.map((s) => s.occurredAt),
        ],
      );
    if (this.deletedIncomes.size > 0)
      await em.query(`DELETE FROM shared_incomes WHERE sharing_id = ANY($1::uuid[])`, [
        [...this.deletedIncomes],
      ]);
    const entries = [...this.incomeRows.values()];
    const inserted = entries.filter((e) => !e.fromDb);
    if (inserted.length > 0)
      await em.query(
        `INSERT INTO shared_incomes (sharing_id, allocation_id, registration_id, subject_id, consent_id,
           income_cents, income_kind, tax_year, received_at, used)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::bigint[],
           $7::varchar[], $8::smallint[], $9::timestamptz[], $10::boolean[])`,
        [
          inserted.map((e) => e.row.sharingId),
          inserted.map((e) => e.allocationId),
          inserted.map((e) => e.registrationId),
          inserted.map((e) => e.row.subjectId),
          inserted.map((e) => e.row.consentId),
          inserted.map((e) => e.row.incomeCents),
          inserted.map((e) => e.row.incomeKind),
          inserted.map((e) => e.row.taxYear),
          inserted.map((e) => e.row.receivedAt),
          inserted.map((e) => e.row.used),
        ],
      );
    const used = entries.filter((e) => e.fromDb && e.usedDirty).map((e) => e.row.sharingId);
    if (used.length > 0)
      await em.query(`UPDATE shared_incomes SET used = true WHERE sharing_id = ANY($1::uuid[])`, [used]);
    const d = this.newDecisions;
    if (d.length > 0)
      await em.query(
        `INSERT INTO decisions (allocation_id, decision_id, outcome, alternative_route_reason, failed_member_id,
           passend_category, within_passend_limit, passend, household_size, income_year, norm_version, decided_at,
           evidence_reference)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::uuid[], $6::varchar[],
           $7::boolean[], $8::boolean[], $9::smallint[], $10::smallint[], $11::varchar[], $12::timestamptz[],
           $13::varchar[])`,
        [
          d.map((x) => x.allocationId),
          d.map((x) => x.decisionId),
          d.map((x) => x.outcome),
          d.map((x) => x.alternativeRouteReason),
          d.map((x) => x.failedMemberId),
          d.map((x) => x.passendCategory),
          d.map((x) => x.withinPassendLimit),
          d.map((x) => x.passend),
          d.map((x) => x.householdSize),
          d.map((x) => x.incomeYear),
          d.map((x) => x.normVersion),
          d.map((x) => x.decidedAt),
          d.map((x) => x.evidenceReference),
        ],
      );
    const st = this.newStatements;
    if (st.length > 0)
      await em.query(
        `INSERT INTO income_statements (statement_id, allocation_id, organisation_id, letting_corporation_id,
           registration_id, contains_income, body, created_at, retain_until)
         SELECT s, a, o, l, r, c, b::jsonb, t, u FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[],
           $5::uuid[], $6::boolean[], $7::text[], $8::timestamptz[], $9::date[]) AS x(s, a, o, l, r, c, b, t, u)`,
        [
          st.map((s) => s.statementId),
          st.map((s) => s.allocation.allocationId),
          st.map((s) => s.allocation.organisationId),
          st.map((s) => s.allocation.lettingCorporationId),
          st.map((s) => s.allocation.registrationId),
          st.map((s) => s.containsIncome),
          st.map((s) => JSON.stringify(s.body)),
          st.map((s) => s.createdAt),
          st.map((s) => s.retainUntil),
        ],
      );
    // One addMany per event type, in the order the events were added (the topics are per event type).
    const byType = new Map<string, BufferedOutbox>();
    for (const b of this.outboxBuffer) {
      const group = byType.get(b.descriptor.type);
      if (group) group.events.push(...b.events);
      else byType.set(b.descriptor.type, { descriptor: b.descriptor, events: [...b.events] });
    }
    for (const g of byType.values()) await outbox.addMany(em, g.descriptor, g.events);
  }
}
