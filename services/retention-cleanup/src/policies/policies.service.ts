import { Injectable } from '@nestjs/common';
import { AccessLogService } from '@divit/access-log';
import { DataCategorySymbols } from '@divit/contracts';
import type { Principal } from '@divit/service-kit';
import type { DataCategory } from '@divit/contracts';
import { boundsProblem, DEFAULT_POLICIES, DefaultPolicy, effective, EffectivePolicy } from './policy';
import { PoliciesRepository, Tx } from './policies.repository';
import { PolicyError } from './policies.errors';
import type { PolicyView } from './dto/policy.dto';

export type { PolicyView };

/** Retention policies: the shipped defaults (data file) and per-organisation overrides within min/max. */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly repository: PoliciesRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  defaultFor(category: DataCategory): DefaultPolicy {
    const p = DEFAULT_POLICIES.get(category);
    if (!p) throw new Error(`no default policy for ${category}`);
    return p;
  }

  /** The policy in force for a category and organisation (null: the default). */
  async effectiveFor(
    tx: Tx,
    category: DataCategory,
    organisationId: string | null,
  ): Promise<EffectivePolicy> {
    const override = organisationId ? await this.repository.override(tx, organisationId, category) : null;
    return effective(this.defaultFor(category), override);
  }

  /** Every override of a category (for age sweeps). */
  async overridesOf(tx: Tx, category: DataCategory): Promise<EffectivePolicy[]> {
    const rows = await this.repository.overrides({ category }, tx);
    return rows.map((o) => effective(this.defaultFor(category), o));
  }

  /** The defaults, or the policies in force for one organisation (defaults with its overrides applied). */
  async list(organisationId?: string): Promise<PolicyView[]> {
    const overrides = organisationId ? await this.repository.overrides({ organisationId }) : [];
    return DataCategorySymbols.map((category) => {
      const o = overrides.find((x) => x.category === category) ?? null;
      return {
        ...effective(this.defaultFor(category), o),
        override: o
          ? { reason: o.reason, updatedBy: o.updatedBy, updatedAt: o.updatedAt.toISOString() }
          : null,
      };
    });
  }

  /**
   * Sets an organisation's retention for a category, within the legal bounds of the default, and moves the
   * due time of that organisation's erasures of the category that are still waiting (same transaction).
   */
  async override(
    principal: Principal,
    organisationId: string,
    category: DataCategory,
    input: { retention: string; reason: string },
    reschedule: (tx: Tx, policy: EffectivePolicy) => Promise<number>,
  ): Promise<PolicyView & { rescheduled: number }> {
    const base = this.defaultFor(category);
    const problem = boundsProblem(base, input.retention);
    if (problem) {
      throw new PolicyError(
        'RETENTION_OUT_OF_BOUNDS',
        `retention ${input.retention} is ${problem} for ${category}.`,
        {
          field: 'retention',
          minimum: base.minimum,
          maximum: base.maximum,
        },
      );
    }
    return this.repository.transaction(async (tx) => {
      const previous = await this.repository.override(tx, organisationId, category);
      await this.repository.upsert(tx, {
        organisationId,
        category,
        retention: input.retention,
        reason: input.reason,
        updatedBy: principal.subject,
      });
      // Which fields changed, with the retention before and after (not personal); the reason is free text, so
      // only its name (issue 16 item 10).
      const from = previous?.retention ?? base.retention;
      await this.accessLog.record(
        {
          principal,
          action: 'RETENTION_POLICY_OVERRIDDEN',
          resourceType: 'retention-policy',
          resourceId: category,
          organisationId,
          purpose: 'RETENTION',
          changedFields: [...(from !== input.retention ? ['retention'] : []), 'reason'],
          changedValues: from !== input.retention ? { retention: { from, to: input.retention } } : {},
        },
        tx,
      );
      const policy = effective(base, { organisationId, retention: input.retention });
      const rescheduled = await reschedule(tx, policy);
      const row = await this.repository.override(tx, organisationId, category);
      return {
        ...policy,
        override: row
          ? { reason: row.reason, updatedBy: row.updatedBy, updatedAt: row.updatedAt.toISOString() }
          : null,
        rescheduled,
      };
    });
  }

  async removeOverride(
    principal: Principal,
    organisationId: string,
    category: DataCategory,
    reschedule: (tx: Tx, policy: EffectivePolicy) => Promise<number>,
  ): Promise<PolicyView & { rescheduled: number }> {
    return this.repository.transaction(async (tx) => {
      const previous = await this.repository.override(tx, organisationId, category);
      if (!previous || !(await this.repository.remove(tx, organisationId, category)))
        throw new PolicyError(
          'POLICY_OVERRIDE_NOT_FOUND',
          `No override of ${category} for this organisation.`,
        );
      const policy = effective(this.defaultFor(category), null);
      await this.accessLog.record(
        {
          principal,
          action: 'RETENTION_POLICY_OVERRIDE_REMOVED',
          resourceType: 'retention-policy',
          resourceId: category,
          organisationId,
          purpose: 'RETENTION',
          changedFields: ['retention'],
          changedValues: { retention: { from: previous.retention, to: policy.retention } },
        },
        tx,
      );
      const rescheduled = await reschedule(tx, { ...policy, organisationId });
      return { ...policy, override: null, rescheduled };
    });
  }
}
