import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AllocationClosed,
  AllocationRecorded,
  AlternativeRouteReason,
  ConsentGranted,
  ConsentRefused,
  ConsentWithdrawn,
  IdentityValidationFailed,
  IncomeDecisionMade,
  IncomeDecisionMadeEvent,
  IncomeShared,
  MemberRequestUpdatedEvent,
} from '@divit/contracts';
import { eventId, PermanentHandlerError } from '@divit/messaging';
import { createLogger } from '@divit/observability';
import { MessagingRuntime } from '@divit/service-kit';
import type { IncomeRetrievalConfig } from '../config/income-retrieval.config';
import {
  applyIncomeTest,
  householdIncome,
  selectIncome,
  SharedIncomeFigure,
} from '../income-test/income-test';
import { leaseStartProblem, NormSet } from '../norms/norms';
import { NormsService } from '../norms/norms.service';
import { INCOME_RETRIEVAL_CONFIG } from '../tokens';
import { ChunkStore } from './chunk-store.repository';
import {
  AllocationRow,
  DecisionRow,
  HouseholdsRepository,
  HouseholdStore,
  IncomeRow,
  MemberRequestRow,
  OutboxSink,
  SignalRow,
} from './households.repository';
import { usedIncomeRetainUntil } from '../statements/retention';
import { deriveMemberState, householdProgress, MemberState, mustShare, SignalKind } from './member-state';

const PURPOSE = 'BSN_AND_INCOME_AT_ALLOCATION';

/**
 * The use cases of income retrieval at allocation. Every input (allocation, consent answers, validation
 * failures, shared income, the expiry sweep) is first stored, then the allocation is re-evaluated under a
 * per-allocation lock — so inputs may arrive in any order and more than once, and the household still gets
 * exactly one decision.
 */
@Injectable()
export class HouseholdsService {
  private readonly logger = createLogger('HouseholdsService');
  private readonly yearOffsets: number[];
  private readonly deadlineMs: number;

  constructor(
    private readonly repo: HouseholdsRepository,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly norms: NormsService,
    @Inject(INCOME_RETRIEVAL_CONFIG) private readonly config: IncomeRetrievalConfig,
  ) {
    this.yearOffsets = config.INCOME_YEAR_OFFSETS;
    this.deadlineMs = config.REQUEST_DEADLINE_HOURS * 3_600_000;
  }

  /** Chunks being applied, by their transaction: their store replaces the repository and the outbox. */
  private readonly chunks = new WeakMap<EntityManager, ChunkStore>();

  private store(em: EntityManager): HouseholdStore {
    return this.chunks.get(em) ?? this.repo;
  }

  private outbox(em: EntityManager): OutboxSink {
    return this.chunks.get(em) ?? this.messaging.outbox;
  }

  /** The norms in force on the lease start, read in `em`'s transaction (once per consumer chunk). */
  private normsFor(em: EntityManager, leaseStartDate: string): Promise<NormSet | undefined> {
    return this.norms.forLeaseStart(em, leaseStartDate, this.chunks.get(em)?.norms ?? {});
  }

  /**
   * Applies a consumer chunk: locks and loads every allocation it names (a few set-based queries), runs `apply`
   * (the use cases, event by event, in order — the same logic and outcomes as one transaction per event) against
   * that in-memory view, then writes the net changes and the outbox events with one statement per table.
   */
  async inChunk(
    em: EntityManager,
    allocationIds: string[],
    sharingIds: string[],
    apply: () => Promise<void>,
  ): Promise<void> {
    if (this.chunks.has(em)) throw new Error('a chunk is already being applied in this transaction');
    const chunk = new ChunkStore();
    await chunk.load(em, allocationIds, sharingIds);
    this.chunks.set(em, chunk);
    try {
      await apply();
    } finally {
      this.chunks.delete(em);
    }
    await chunk.flush(em, this.messaging.outbox);
  }

  async allocationRecorded(em: EntityManager, a: AllocationRecorded): Promise<void> {
    const homeSeekers = a.members.filter((m) => m.role === 'HOME_SEEKER');
    if (homeSeekers.length !== 1)
      throw new PermanentHandlerError('ALLOCATION_INVALID', 'members: exactly one HOME_SEEKER is required');
    if (new Set(a.members.map((m) => m.memberId)).size !== a.members.length)
      throw new PermanentHandlerError('ALLOCATION_INVALID', 'members: memberId must be unique');
    // A lease year without norms yet is no reason to refuse: the procedure runs, and a household that has shared
    // everything waits for the year's norms (ADR 0017). Only a lease start no norms can ever exist for is refused.
    const leaseProblem = leaseStartProblem(a.leaseStartDate, new Date(a.occurredAt));
    if (leaseProblem) throw new PermanentHandlerError('ALLOCATION_INVALID', leaseProblem);
    await this.store(em).lockAllocation(em, a.allocationId);
    const recordedAt = new Date(a.occurredAt);
    const row = {
      allocationId: a.allocationId,
      registrationId: a.registrationId,
      organisationId: a.organisationId,
      lettingCorporationId: a.lettingCorporationId,
      leaseStartDate: a.leaseStartDate,
      monthlyRentCents: a.monthlyRentCents,
      exemptionGroup: a.exemptionGroup,
      householdSize: a.members.length,
      recordedAt,
    };
    if (!(await this.store(em).insertAllocation(em, row))) {
      this.logger.info('allocation already known; ignored', { allocationId: a.allocationId });
      return;
    }
    const allocation: AllocationRow = {
      ...row,
      closedOutcome: null,
      awaitingNormsYear: null,
      awaitingNormsSince: null,
    };
    if (a.exemptionGroup) {
      // Exempted groups get no digital procedure: no member requests, an EXEMPT decision at once.
      await this.store(em).deleteUnusedIncomes(em, a.allocationId);
      await this.decide(em, allocation, [], { outcome: 'EXEMPT' });
      return;
    }
    const deadlineAt = new Date(recordedAt.getTime() + this.deadlineMs);
    const requests: MemberRequestRow[] = a.members.filter(mustShare).map((m) => ({
      allocationId: a.allocationId,
      memberId: m.memberId,
      role: m.role,
      status: 'WAITING_FOR_CONSENT',
      failure: null,
      consentId: null,
      deadlineAt,
      updatedAt: recordedAt,
      withdrawnAfterDecisionAt: null,
    }));
    await this.store(em).insertMemberRequests(em, requests);
    await this.publishMemberUpdates(em, allocation, requests);
    await this.evaluate(em, a.allocationId, allocation);
  }

  async allocationClosed(em: EntityManager, c: AllocationClosed): Promise<void> {
    await this.store(em).lockAllocation(em, c.allocationId);
    await this.store(em).closeAllocation(em, c.allocationId, c.outcome);
    // Unused shared income is deleted when the allocation ends without a lease [assumption, domain brief].
    if (c.outcome === 'ENDED_WITHOUT_LEASE') await this.store(em).deleteUnusedIncomes(em, c.allocationId);
  }

  async consent(
    em: EntityManager,
    kind: Extract<SignalKind, `CONSENT_${string}`>,
    c: ConsentGranted | ConsentRefused | ConsentWithdrawn,
    at: number,
  ): Promise<void> {
    if (c.purpose !== PURPOSE || !c.allocationId) return; // other processes are not ours
    await this.signal(em, c.allocationId, c.registrationId, {
      subjectId: c.subjectId,
      kind,
      consentId: c.consentId,
      failure: null,
      occurredAt: new Date(at),
    });
  }

  async validationFailed(em: EntityManager, f: IdentityValidationFailed): Promise<void> {
    if (f.purpose !== PURPOSE || !f.allocationId) return;
    await this.signal(em, f.allocationId, f.registrationId, {
      subjectId: f.subjectId,
      kind: 'VALIDATION_FAILED',
      consentId: f.consentId,
      failure: f.failure,
      occurredAt: new Date(f.failedAt),
    });
  }

  async incomeShared(em: EntityManager, i: IncomeShared): Promise<void> {
    if (!i.signatureVerified)
      throw new PermanentHandlerError(
        'INCOME_UNVERIFIED',
        'signatureVerified: unverified datasets are refused',
      );
    await this.store(em).lockAllocation(em, i.allocationId);
    const inserted = await this.store(em).insertIncome(em, {
      sharingId: i.sharingId,
      allocationId: i.allocationId,
      registrationId: i.registrationId,
      subjectId: i.subjectId,
      consentId: i.consentId,
      incomeCents: i.incomeCents,
      incomeKind: i.incomeKind,
      taxYear: i.taxYear,
      receivedAt: new Date(i.receivedAt),
    });
    if (inserted) await this.evaluate(em, i.allocationId);
  }

  /** Marks every request overdue at `now` as EXPIRED and decides those households. Returns how many. */
  async expire(em: EntityManager, allocationId: string, now: Date): Promise<number> {
    await this.store(em).lockAllocation(em, allocationId);
    const allocation = await this.store(em).findAllocation(em, allocationId);
    if (!allocation || (await this.store(em).findDecision(em, allocationId))) return 0;
    const overdue = (await this.store(em).memberRequests(em, allocationId)).filter(
      (m) =>
        (m.status === 'WAITING_FOR_CONSENT' || m.status === 'WAITING_FOR_SHARING') && m.deadlineAt <= now,
    );
    for (const m of overdue) {
      const next = { ...m, status: 'EXPIRED' as const, failure: 'DEADLINE_EXPIRED' as const, updatedAt: now };
      await this.store(em).updateMemberRequest(em, allocationId, m.memberId, next);
      await this.publishMemberUpdates(em, allocation, [next]);
    }
    await this.evaluate(em, allocationId, allocation);
    return overdue.length;
  }

  /**
   * The norms resolver (ADR 0017): re-evaluates an allocation that awaited its lease year's norms. Under the
   * allocation's lock, so a consumer chunk working on the same allocation at the same time is serialised with it,
   * and the decision (primary key = allocation id, outbox event in the same transaction) is made once. Returns
   * whether the allocation is decided now.
   */
  async resolveAwaitingNorms(em: EntityManager, allocationId: string): Promise<boolean> {
    await this.store(em).lockAllocation(em, allocationId);
    const allocation = await this.store(em).findAllocation(em, allocationId);
    if (!allocation) return false;
    if (await this.store(em).findDecision(em, allocationId)) return true;
    await this.evaluate(em, allocationId, allocation);
    return (await this.store(em).findDecision(em, allocationId)) !== undefined;
  }

  private async signal(
    em: EntityManager,
    allocationId: string,
    registrationId: string,
    s: SignalRow,
  ): Promise<void> {
    await this.store(em).lockAllocation(em, allocationId);
    await this.store(em).insertSignal(em, { ...s, allocationId, registrationId });
    await this.evaluate(em, allocationId);
  }

  /** Re-derives every member's state from what is stored and decides when the household is complete. */
  private async evaluate(em: EntityManager, allocationId: string, known?: AllocationRow): Promise<void> {
    const allocation = known ?? (await this.store(em).findAllocation(em, allocationId));
    if (!allocation) return; // stored; reconciled when the allocation arrives
    // One connection per transaction: queries in sequence.
    const members = await this.store(em).memberRequests(em, allocationId);
    const signals = await this.store(em).signals(em, allocationId);
    const incomes = await this.store(em).incomes(em, allocationId);
    const decision = await this.store(em).findDecision(em, allocationId);
    if (decision) return this.afterDecision(em, allocation, decision, members, signals);
    const leaseYear = Number(allocation.leaseStartDate.slice(0, 4));
    const of = (m: MemberRequestRow) => (subjectId: string) =>
      subjectId === m.memberId || (m.role === 'HOME_SEEKER' && subjectId === allocation.registrationId);

    const states: (MemberState & { memberId: string; income: SharedIncomeFigure | undefined })[] = [];
    const changed: MemberRequestRow[] = [];
    for (const m of members) {
      const mine = of(m);
      const income = selectIncome(
        incomes.filter((i) => mine(i.subjectId)).map((i) => figure(i, m.memberId)),
        leaseYear,
        this.yearOffsets,
      );
      const current: MemberState = {
        status: m.status,
        failure: m.failure,
        consentId: m.consentId,
        since: m.updatedAt,
      };
      const next = deriveMemberState(
        current,
        signals.filter((s) => mine(s.subjectId)),
        income ? { consentId: income.consentId, receivedAt: new Date(income.receivedAt) } : undefined,
      );
      states.push({ ...next, memberId: m.memberId, income });
      if (next.status !== m.status || next.failure !== m.failure || next.consentId !== m.consentId) {
        await this.store(em).updateMemberRequest(em, allocationId, m.memberId, {
          status: next.status,
          failure: next.failure,
          consentId: next.consentId,
          updatedAt: next.since,
        });
        changed.push({
          ...m,
          status: next.status,
          failure: next.failure,
          consentId: next.consentId,
          updatedAt: next.since,
        });
      }
    }
    await this.publishMemberUpdates(em, allocation, changed);

    const progress = householdProgress(states);
    if (progress.kind === 'WAITING') return;
    const memberViews = states.map((s) => ({
      memberId: s.memberId,
      role: members.find((m) => m.memberId === s.memberId)?.role ?? 'CO_RESIDENT',
      status: s.status,
      failure: s.failure,
      consentId: s.consentId,
    }));
    if (progress.kind === 'STOPPED') {
      // The digital procedure stops for the whole household; every member's shared income is erased.
      await this.store(em).deleteUnusedIncomes(em, allocationId);
      await this.decide(em, allocation, memberViews, {
        outcome: 'ALTERNATIVE_ROUTE_REQUIRED',
        reason: progress.reason,
        failedMemberId: progress.memberId,
      });
      return;
    }
    const norms = await this.normsFor(em, allocation.leaseStartDate);
    if (!norms) {
      // Everyone has shared; the test needs the lease year's norms, which are not published yet. The household
      // waits, visibly, and is decided when they are (norms resolver); nothing is dead-lettered or erased.
      if (allocation.awaitingNormsYear !== leaseYear) {
        const since = new Date();
        await this.store(em).setAwaitingNorms(em, allocationId, leaseYear, since);
        allocation.awaitingNormsYear = leaseYear;
        allocation.awaitingNormsSince = since;
        this.logger.info('allocation awaits the income norms of its lease year', { allocationId, leaseYear });
      }
      return;
    }
    const figures = states.map((s) => s.income as SharedIncomeFigure);
    const pensionAgeStated = await this.store(em).pensionAge(em, allocationId);
    const { members: indexed, householdIncomeCents } = householdIncome(norms, figures);
    const test = applyIncomeTest(norms, householdIncomeCents, {
      householdSize: allocation.householdSize,
      pensionAge: pensionAgeStated ?? false,
      monthlyRentCents: allocation.monthlyRentCents > 0 ? allocation.monthlyRentCents : null,
    });
    await this.store(em).markIncomesUsed(
      em,
      figures.map((f) => f.sharingId),
    );
    await this.store(em).deleteUnusedIncomes(em, allocationId); // other figures of the members are not needed
    await this.decide(em, allocation, memberViews, {
      outcome: test.eligible ? 'ELIGIBLE' : 'NOT_ELIGIBLE',
      test,
      norms,
      indexed,
      pensionAge: {
        value: pensionAgeStated ?? false,
        source: pensionAgeStated === undefined ? 'ASSUMED_NOT' : 'STATED',
      },
      incomeYear: Math.min(...figures.map((f) => f.taxYear)),
    });
  }

  /** A withdrawal after the completed test is recorded; the statement stays for the accountant. */
  private async afterDecision(
    em: EntityManager,
    allocation: AllocationRow,
    decision: DecisionRow,
    members: MemberRequestRow[],
    signals: SignalRow[],
  ): Promise<void> {
    // Income arriving after the decision is never used: erase it.
    await this.store(em).deleteUnusedIncomes(em, allocation.allocationId);
    if (decision.outcome !== 'ELIGIBLE' && decision.outcome !== 'NOT_ELIGIBLE') return;
    for (const s of signals.filter(
      (x) => x.kind === 'CONSENT_WITHDRAWN' && x.occurredAt >= decision.decidedAt,
    )) {
      const m = members.find(
        (x) =>
          x.memberId === s.subjectId ||
          (x.role === 'HOME_SEEKER' && s.subjectId === allocation.registrationId),
      );
      if (m)
        await this.store(em).markWithdrawnAfterDecision(
          em,
          allocation.allocationId,
          m.memberId,
          s.occurredAt,
        );
    }
  }

  private async decide(
    em: EntityManager,
    allocation: AllocationRow,
    members: {
      memberId: string;
      role: string;
      status: string;
      failure: string | null;
      consentId: string | null;
    }[],
    d:
      | { outcome: 'EXEMPT' }
      | { outcome: 'ALTERNATIVE_ROUTE_REQUIRED'; reason: AlternativeRouteReason; failedMemberId: string }
      | {
          outcome: 'ELIGIBLE' | 'NOT_ELIGIBLE';
          test: ReturnType<typeof applyIncomeTest>;
          norms: NormSet;
          indexed: ReturnType<typeof householdIncome>['members'];
          pensionAge: { value: boolean; source: 'STATED' | 'ASSUMED_NOT' };
          incomeYear: number;
        },
  ): Promise<void> {
    const decidedAt = new Date();
    // Time-ordered (v7) ids, as the events' own: the decision and statement rows are written in decision order,
    // so their primary keys land on the right edge of their indexes instead of random leaves (issue 18).
    const decisionId = eventId(decidedAt.getTime());
    const statementId = eventId(decidedAt.getTime());
    const evidenceReference = `income-retrieval:statements/${allocation.allocationId}`;
    const tested = d.outcome === 'ELIGIBLE' || d.outcome === 'NOT_ELIGIBLE';
    const value: IncomeDecisionMade = {
      decisionId,
      allocationId: allocation.allocationId,
      registrationId: allocation.registrationId,
      organisationId: allocation.organisationId,
      lettingCorporationId: allocation.lettingCorporationId,
      outcome: d.outcome,
      alternativeRouteReason: d.outcome === 'ALTERNATIVE_ROUTE_REQUIRED' ? d.reason : null,
      failedMemberId: d.outcome === 'ALTERNATIVE_ROUTE_REQUIRED' ? d.failedMemberId : null,
      passendCategory: tested ? d.test.passendCategory : null,
      withinPassendLimit: tested ? d.test.withinPassendLimit : null,
      passend: tested ? d.test.passend : null,
      householdSize: allocation.householdSize,
      incomeYear: tested ? d.incomeYear : null,
      normVersion: tested ? d.norms.version : null,
      decidedAt: decidedAt.getTime(),
      evidenceReference,
    };
    const inserted = await this.store(em).insertDecision(em, {
      ...value,
      decidedAt,
    });
    if (!inserted) return;
    if (allocation.awaitingNormsYear !== null) {
      await this.store(em).setAwaitingNorms(em, allocation.allocationId, null, null);
      allocation.awaitingNormsYear = null;
      allocation.awaitingNormsSince = null;
    }
    // Anchored on the decision's year, as retention-cleanup's USED_INCOME policy erases it (not the lease year).
    const retainUntil = tested
      ? usedIncomeRetainUntil(decidedAt, this.config.STATEMENT_RETENTION_YEARS)
      : null;
    const body: Record<string, unknown> = {
      statementId,
      kind: 'DIGITAL_INCOME_STATEMENT',
      allocationId: allocation.allocationId,
      registrationId: allocation.registrationId,
      organisationId: allocation.organisationId,
      lettingCorporationId: allocation.lettingCorporationId,
      leaseStartDate: allocation.leaseStartDate,
      monthlyRentCents: allocation.monthlyRentCents,
      householdSize: allocation.householdSize,
      exemptionGroup: allocation.exemptionGroup,
      outcome: d.outcome,
      alternativeRouteReason: value.alternativeRouteReason,
      failedMemberId: value.failedMemberId,
      decisionId,
      allocationRecordedAt: allocation.recordedAt.toISOString(),
      decidedAt: decidedAt.toISOString(),
      retainUntil,
      consentIds: [...new Set(members.map((m) => m.consentId).filter((c): c is string => !!c))],
      members: members.map((m) => {
        const income = tested ? d.indexed.find((i) => i.memberId === m.memberId) : undefined;
        return {
          ...m,
          ...(income
            ? {
                sharingId: income.sharingId,
                incomeConsentId: income.consentId,
                taxYear: income.taxYear,
                incomeKind: income.incomeKind,
                incomeCents: income.incomeCents,
                indexationFactor: income.indexationFactor,
                indexedIncomeCents: income.indexedIncomeCents,
                receivedAt: income.receivedAt,
              }
            : {}),
        };
      }),
      ...(tested
        ? {
            incomeYear: d.incomeYear,
            householdIncomeCents: d.test.householdIncomeCents,
            pensionAge: d.pensionAge.value,
            pensionAgeSource: d.pensionAge.source,
            test: {
              eligible: d.test.eligible,
              daebLimitCents: d.test.daebLimitCents,
              passendCategory: d.test.passendCategory,
              passendLimitCents: d.test.passendLimitCents,
              withinPassendLimit: d.test.withinPassendLimit,
              rentCapCents: d.test.rentCapCents,
              passend: d.test.passend,
              rounding: 'each member: income x factor, rounded half away from zero to the cent; then summed',
            },
            norms: {
              version: d.norms.version,
              validFrom: d.norms.validFrom,
              indexationFactors: d.norms.indexationFactors,
              daebLimitCents: d.norms.daebLimitCents,
              passendLimitCents: d.norms.passendLimitCents,
              rentCapCents: d.norms.rentCapCents,
              assumptions: d.norms.assumptions,
            },
          }
        : {}),
    };
    await this.store(em).insertStatement(em, {
      statementId,
      allocation,
      containsIncome: tested,
      body,
      createdAt: decidedAt,
      retainUntil,
    });
    await this.outbox(em).add(em, IncomeDecisionMadeEvent, {
      id: decisionId,
      key: allocation.allocationId,
      value,
      subject: allocation.allocationId,
    });
  }

  private async publishMemberUpdates(
    em: EntityManager,
    allocation: AllocationRow,
    rows: MemberRequestRow[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.outbox(em).addMany(
      em,
      MemberRequestUpdatedEvent,
      rows.map((r) => ({
        key: allocation.allocationId,
        subject: allocation.allocationId,
        value: {
          allocationId: allocation.allocationId,
          registrationId: allocation.registrationId,
          memberId: r.memberId,
          role: r.role,
          status: r.status,
          failure: r.failure,
          deadlineAt: r.deadlineAt.getTime(),
          occurredAt: r.updatedAt.getTime(),
        },
      })),
    );
  }
}

function figure(i: IncomeRow, memberId: string): SharedIncomeFigure {
  return {
    sharingId: i.sharingId,
    memberId,
    consentId: i.consentId,
    incomeCents: i.incomeCents,
    incomeKind: i.incomeKind,
    taxYear: i.taxYear,
    receivedAt: i.receivedAt.toISOString(),
  };
}
