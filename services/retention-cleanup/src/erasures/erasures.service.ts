import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataCategorySymbols } from '@divit/contracts';
import type { DataCategory } from '@divit/contracts';
import { eraseAccessLog } from '@divit/access-log';
import { createLogger } from '@divit/observability';
import { RETENTION_CONFIG } from '../config/tokens';
import type { RetentionCleanupConfig } from '../config/retention-cleanup.config';
import {
  DEFAULT_POLICIES,
  durationSeconds,
  EffectivePolicy,
  IMMEDIATE_TRIGGERS,
  Outcome,
  retentionFor,
  reasonFor,
  Trigger,
  categoriesFor,
  datasetPolicies,
} from '../policies/policy';
import { PoliciesService } from '../policies/policies.service';
import { ErasureEvents } from './erasure.events';
import { Ack, ErasureRow, ErasuresRepository, NewErasure, Tx } from './erasures.repository';
import type { IssuedErasure, SweepResult } from './dto/erasure.dto';

/** Pseudonymous ids a lifecycle event names; the erasure is limited to the non-null ones. */
export interface SubjectScope {
  organisationId: string | null;
  registrationId: string | null;
  subjectId: string | null;
  allocationId: string | null;
}

export type { IssuedErasure, SweepResult };

const AGE_LOCK_ID = 7346152008;
const LISTED = 1000;

/**
 * Works out which erasures are due and sends their commands to the owning services (via the outbox):
 * immediately, inside the consuming transaction, for withdrawal and failure (and any erasure already due);
 * otherwise at the next sweep. Holds keep an erasure waiting; acknowledgements complete it and write the proof.
 */
@Injectable()
export class ErasuresService {
  private readonly logger = createLogger('ErasuresService');
  private sweeping: Promise<SweepResult> | undefined;

  constructor(
    private readonly repository: ErasuresRepository,
    private readonly events: ErasureEvents,
    private readonly policies: PoliciesService,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionCleanupConfig,
  ) {}

  /**
   * A lifecycle trigger happened: schedules one erasure per category the trigger makes due and owning service,
   * and issues at once the ones that are due now and not held (all of them for withdrawal and failure).
   */
  async trigger(
    tx: Tx,
    trigger: Trigger,
    scope: SubjectScope,
    at: Date,
    categories: readonly DataCategory[] = categoriesFor(trigger),
    outcome: Outcome | null = null,
  ): Promise<IssuedErasure[]> {
    const rows: NewErasure[] = [];
    for (const category of categories) {
      const policy = await this.policies.effectiveFor(tx, category, scope.organisationId);
      const immediate = IMMEDIATE_TRIGGERS.has(trigger);
      for (const target of policy.targets) {
        rows.push({
          erasureId: randomUUID(),
          category,
          targetService: target,
          reason: reasonFor[trigger],
          trigger,
          policyId: policy.policyId,
          ...scope,
          outcome,
          triggerAt: at,
          // By the trigger's outcome where the policy has a retention per outcome (docs/adr/0036).
          retention: immediate ? 'PT0S' : retentionFor(policy, outcome),
          alignToYearEnd: immediate ? false : policy.alignToYearEnd,
          ageRetention: null,
          dedupeKey: [
            trigger,
            category,
            target,
            scope.organisationId ?? '-',
            scope.registrationId ?? '-',
            scope.subjectId ?? '-',
            scope.allocationId ?? '-',
          ].join('/'),
        });
      }
    }
    const created = await this.repository.insert(tx, rows);
    const issued = await this.repository.claimDue(tx, created.length, created);
    await this.events.requested(tx, issued);
    return issued.map(view);
  }

  /** The due time of an organisation's waiting erasures follows a changed retention. */
  reschedule(tx: Tx, policy: EffectivePolicy): Promise<number> {
    if (!policy.organisationId) return Promise.resolve(0);
    return this.repository.reschedule(
      tx,
      policy.category,
      policy.organisationId,
      policy.retention,
      policy.retentionByOutcome,
      policy.alignToYearEnd,
      policy.policyId,
    );
  }

  /** One sweep at a time per process (the timer and POST /sweeps share it); the claims use SKIP LOCKED. */
  sweep(): Promise<SweepResult> {
    if (!this.sweeping) {
      this.sweeping = this.runSweep().finally(() => {
        this.sweeping = undefined;
      });
    }
    return this.sweeping;
  }

  private async runSweep(): Promise<SweepResult> {
    const startedAt = new Date();
    const ageErasuresScheduled = await this.scheduleAgeErasures(startedAt);
    const ownAccessLogErased = await this.eraseOwnAccessLog(startedAt);
    const issued: IssuedErasure[] = [];
    const resent: IssuedErasure[] = [];
    const batch = this.config.SWEEP_BATCH_SIZE;
    const issuedCount = await this.drain((tx) => this.repository.claimDue(tx, batch), issued);
    const resentCount = await this.drain(
      (tx) => this.repository.claimUnacknowledged(tx, this.config.ERASURE_RESEND_AFTER_SECONDS, batch),
      resent,
    );
    const { held } = await this.repository.counts(this.config.ERASURE_OVERDUE_AFTER_SECONDS);
    const result: SweepResult = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ageErasuresScheduled,
      issuedCount,
      resentCount,
      heldCount: held,
      issued,
      resent,
    };
    this.logger.info('sweep finished', {
      ageErasuresScheduled,
      ownAccessLogErased,
      issuedCount,
      resentCount,
      heldCount: held,
    });
    return result;
  }

  /**
   * Age-based categories: per owning service, one erasure for records recorded before now - retention, for
   * every organisation with its own policy (an override or an adopted agreement's; limited to it) and one for the rest (organisation null) with the
   * longest retention of the default and the overrides, so no organisation's data goes before its own policy
   * allows. Skipped while the previous one of the same kind is not acknowledged (the re-send covers it).
   */
  private async scheduleAgeErasures(now: Date): Promise<number> {
    return this.repository.transaction(async (tx) => {
      await this.repository.advisoryLock(tx, AGE_LOCK_ID);
      const rows: NewErasure[] = [];
      for (const category of DataCategorySymbols) {
        const base = DEFAULT_POLICIES.get(category);
        if (!base?.triggers.includes('AGE')) continue;
        const overrides = await this.policies.organisationPolicies(tx, category);
        const general = await this.policies.effectiveFor(tx, category, null);
        const longest = [general, ...overrides].reduce((a, b) =>
          durationSeconds(b.retention) > durationSeconds(a.retention) ? b : a,
        );
        const plan: { policy: EffectivePolicy; retention: string }[] = [
          ...overrides.map((o) => ({ policy: o, retention: o.retention })),
          { policy: general, retention: longest.retention },
        ];
        for (const { policy, retention } of plan) {
          for (const target of policy.targets) {
            if (
              await this.repository.openAgeErasure(
                tx,
                category,
                target,
                policy.organisationId,
                policy.policyId,
              )
            )
              continue;
            rows.push({
              erasureId: randomUUID(),
              category,
              targetService: target,
              reason: 'RETENTION_PERIOD_ENDED',
              trigger: 'AGE',
              policyId: policy.policyId,
              organisationId: policy.organisationId,
              outcome: null,
              registrationId: null,
              subjectId: null,
              allocationId: null,
              triggerAt: now,
              retention: 'PT0S',
              alignToYearEnd: false,
              ageRetention: retention,
              dedupeKey: ['AGE', category, target, policy.organisationId ?? '-', now.toISOString()].join('/'),
            });
          }
        }
      }
      // Dataset policies (ADR 0031): one age command per owner, the category's, naming the dataset in the policy id.
      for (const { category, policy, policyId, targets } of datasetPolicies()) {
        for (const target of targets) {
          if (await this.repository.openAgeErasure(tx, category, target, null, policyId)) continue;
          rows.push({
            erasureId: randomUUID(),
            category,
            targetService: target,
            reason: 'RETENTION_PERIOD_ENDED',
            trigger: 'AGE',
            policyId,
            organisationId: null,
            outcome: null,
            registrationId: null,
            subjectId: null,
            allocationId: null,
            triggerAt: now,
            retention: 'PT0S',
            alignToYearEnd: false,
            ageRetention: policy.retention,
            dedupeKey: ['AGE', policyId, target, now.toISOString()].join('/'),
          });
        }
      }
      return (await this.repository.insert(tx, rows)).length;
    });
  }

  /**
   * retention-cleanup's own access log (ADR 0020) is erased here, not by a command: entries recorded before now
   * minus the ACCESS_LOGS retention, taking the longest of the default and every organisation's own (nobody's entries go
   * before their own policy allows), and none while an active legal hold covers the ACCESS_LOGS category.
   */
  private async eraseOwnAccessLog(now: Date): Promise<number> {
    return this.repository.transaction(async (tx) => {
      const category: DataCategory = 'ACCESS_LOGS';
      const overrides = await this.policies.organisationPolicies(tx, category);
      const general = await this.policies.effectiveFor(tx, category, null);
      const longest = Math.max(...[general, ...overrides].map((p) => durationSeconds(p.retention)));
      if (await this.repository.categoryHeld(tx, category)) return 0;
      return eraseAccessLog(tx, { recordedBefore: now.getTime() - longest * 1000 });
    });
  }

  /**
   * Claims and issues in transactions of SWEEP_BATCH_SIZE commands with SWEEP_WORKERS claim loops at once (the
   * claims skip each other's locked rows, so every command is claimed by one loop): while one loop's database
   * work runs, another encodes its commands. A loop stops when a claim finds fewer rows than a batch, which
   * means every row due and unlocked was in it; rows locked then belong to a loop still running. Returns the
   * number issued and lists the first LISTED in `listed`.
   */
  private async drain(claim: (tx: Tx) => Promise<ErasureRow[]>, listed: IssuedErasure[]): Promise<number> {
    let count = 0;
    const loop = async (): Promise<void> => {
      for (;;) {
        const rows = await this.repository.transaction(async (tx) => {
          const claimed = await claim(tx);
          await this.events.requested(tx, claimed);
          return claimed;
        });
        count += rows.length;
        for (const r of rows.slice(0, Math.max(0, LISTED - listed.length))) listed.push(view(r));
        if (rows.length < this.config.SWEEP_BATCH_SIZE) return;
      }
    };
    await Promise.all(Array.from({ length: this.config.SWEEP_WORKERS }, loop));
    return count;
  }

  /** Issues the erasures a lifted hold was keeping back (in the lifting transaction). */
  async issueReleased(tx: Tx): Promise<IssuedErasure[]> {
    const out: IssuedErasure[] = [];
    for (;;) {
      const rows = await this.repository.claimDue(tx, this.config.SWEEP_BATCH_SIZE);
      await this.events.requested(tx, rows);
      out.push(...rows.map(view));
      if (rows.length < this.config.SWEEP_BATCH_SIZE) return out;
    }
  }

  /** Applies acknowledgements; returns the erasure ids that matched no command of that service and category. */
  async acknowledge(tx: Tx, acks: readonly Ack[]): Promise<string[]> {
    const matched = await this.repository.acknowledge(tx, acks);
    return acks.filter((a) => !matched.has(a.erasureId)).map((a) => a.erasureId);
  }

  list(filter: { registrationId?: string; status?: ErasureRow['status']; organisationIds?: string[] }) {
    return this.repository.list({ ...filter, limit: 1000 });
  }

  get overdueThreshold(): number {
    return this.config.ERASURE_OVERDUE_AFTER_SECONDS;
  }

  overdue(organisationIds?: string[]) {
    return this.repository.overdue(this.config.ERASURE_OVERDUE_AFTER_SECONDS, 1000, organisationIds);
  }

  counts() {
    return this.repository.counts(this.config.ERASURE_OVERDUE_AFTER_SECONDS);
  }
}

function view(r: ErasureRow): IssuedErasure {
  return {
    erasureId: r.erasureId,
    category: r.category,
    targetService: r.targetService,
    reason: r.reason,
    policyId: r.policyId,
    registrationId: r.registrationId,
    subjectId: r.subjectId,
    recordedBefore: r.recordedBefore ? r.recordedBefore.toISOString() : null,
    sendCount: r.sendCount,
  };
}
