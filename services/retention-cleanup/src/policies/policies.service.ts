import { Inject, Injectable } from '@nestjs/common';
import { AccessLogService } from '@divit/access-log';
import { DataCategorySymbols } from '@divit/contracts';
import type { Principal } from '@divit/service-kit';
import type { DataCategory } from '@divit/contracts';
import {
  agreementPolicyIdFor,
  AgreementPolicyInForce,
  boundsProblem,
  DEFAULT_POLICIES,
  DefaultPolicy,
  effective,
  EffectivePolicy,
} from './policy';
import type { Agreement } from './agreements/agreement';
import { AGREEMENTS } from './agreements/agreements.token';
import { AdoptionRow, OverrideRow, PoliciesRepository, Tx } from './policies.repository';
import { PolicyError } from './policies.errors';
import type { AdoptionView, AgreementView, PolicyView } from './dto/policy.dto';

export type { PolicyView };

type Reschedule = (tx: Tx, policy: EffectivePolicy) => Promise<number>;

/**
 * Retention policies: the shipped defaults (data file), the agreements organisations adopt (data files, docs/adr/0036)
 * and per-organisation overrides within min/max. In force: override > agreement > default.
 */
@Injectable()
export class PoliciesService {
  constructor(
    private readonly repository: PoliciesRepository,
    private readonly accessLog: AccessLogService,
    @Inject(AGREEMENTS) private readonly agreementCatalogue: ReadonlyMap<string, Agreement>,
  ) {}

  defaultFor(category: DataCategory): DefaultPolicy {
    const p = DEFAULT_POLICIES.get(category);
    if (!p) throw new Error(`no default policy for ${category}`);
    return p;
  }

  /** An adopted agreement's policy for a category, when it sets one. */
  private agreementPolicy(
    adoption: Pick<AdoptionRow, 'organisationId' | 'agreementId'> | null,
    category: DataCategory,
  ): (AgreementPolicyInForce & { organisationId: string }) | null {
    if (!adoption) return null;
    const policy = this.agreementCatalogue.get(adoption.agreementId)?.policies.get(category);
    if (!policy) return null;
    return { ...policy, agreementId: adoption.agreementId, organisationId: adoption.organisationId };
  }

  private inForce(
    category: DataCategory,
    override: OverrideRow | null,
    adoption: AdoptionRow | null,
  ): EffectivePolicy {
    return effective(this.defaultFor(category), override, this.agreementPolicy(adoption, category));
  }

  /** The policy in force for a category and organisation (null: the default). */
  async effectiveFor(
    tx: Tx,
    category: DataCategory,
    organisationId: string | null,
  ): Promise<EffectivePolicy> {
    if (!organisationId) return this.inForce(category, null, null);
    const override = await this.repository.override(tx, organisationId, category);
    const adoption = await this.repository.adoption(tx, organisationId);
    return this.inForce(category, override, adoption);
  }

  /** Every organisation's own policy of a category, by override or adopted agreement (for age sweeps). */
  async organisationPolicies(tx: Tx, category: DataCategory): Promise<EffectivePolicy[]> {
    const overrides = await this.repository.overrides({ category }, tx);
    const adoptions = await this.repository.adoptions(tx);
    const out = overrides.map((o) =>
      this.inForce(category, o, adoptions.find((a) => a.organisationId === o.organisationId) ?? null),
    );
    for (const a of adoptions) {
      if (overrides.some((o) => o.organisationId === a.organisationId)) continue;
      if (this.agreementPolicy(a, category)) out.push(this.inForce(category, null, a));
    }
    return out;
  }

  /** The defaults, or the policies in force for one organisation (its agreement's and overrides applied). */
  async list(organisationId?: string): Promise<PolicyView[]> {
    const overrides = organisationId ? await this.repository.overrides({ organisationId }) : [];
    const adoption = organisationId
      ? await this.repository.adoption(this.repository.manager, organisationId)
      : null;
    return DataCategorySymbols.map((category) => {
      const o = overrides.find((x) => x.category === category) ?? null;
      return view(this.inForce(category, o, adoption), o);
    });
  }

  /** The shipped agreements with their policies, sources and the rows about data the platform does not hold. */
  agreements(): AgreementView[] {
    return [...this.agreementCatalogue.values()].map((a) => ({
      id: a.id,
      name: a.name,
      sourceDocument: a.sourceDocument,
      policies: [...a.policies.values()].map((p) => ({
        ...p,
        policyId: agreementPolicyIdFor(a.id, p.category),
      })),
      notHeld: a.notHeld,
    }));
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
    reschedule: Reschedule,
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
      const before = await this.effectiveFor(tx, category, organisationId);
      await this.repository.upsert(tx, {
        organisationId,
        category,
        retention: input.retention,
        reason: input.reason,
        updatedBy: principal.subject,
      });
      // Which fields changed, with the retention before and after (not personal); the reason is free text, so
      // only its name (issue 16 item 10).
      const from = before.retention;
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
      const row = await this.repository.override(tx, organisationId, category);
      const policy = this.inForce(category, row, await this.repository.adoption(tx, organisationId));
      const rescheduled = await reschedule(tx, policy);
      return { ...view(policy, row), rescheduled };
    });
  }

  async removeOverride(
    principal: Principal,
    organisationId: string,
    category: DataCategory,
    reschedule: Reschedule,
  ): Promise<PolicyView & { rescheduled: number }> {
    return this.repository.transaction(async (tx) => {
      const previous = await this.repository.override(tx, organisationId, category);
      if (!previous || !(await this.repository.remove(tx, organisationId, category)))
        throw new PolicyError(
          'POLICY_OVERRIDE_NOT_FOUND',
          `No override of ${category} for this organisation.`,
        );
      const policy = this.inForce(category, null, await this.repository.adoption(tx, organisationId));
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
      return { ...view(policy, null), rescheduled };
    });
  }

  /**
   * An organisation adopts an agreement (replacing the one it had): its policies then come from the agreement for the
   * categories the agreement sets (its overrides still win). Audited with the changed fields; waiting erasures of the
   * categories either agreement sets get their new due time in the same transaction.
   */
  async adopt(
    principal: Principal,
    organisationId: string,
    input: { agreementId: string; reason: string },
    reschedule: Reschedule,
  ): Promise<AdoptionView> {
    const agreement = this.agreementCatalogue.get(input.agreementId);
    if (!agreement)
      throw new PolicyError('AGREEMENT_NOT_FOUND', `No agreement ${input.agreementId}.`, {
        field: 'agreementId',
        agreements: [...this.agreementCatalogue.keys()],
      });
    return this.repository.transaction(async (tx) => {
      const previous = await this.repository.adoption(tx, organisationId);
      await this.repository.adopt(tx, {
        organisationId,
        agreementId: agreement.id,
        reason: input.reason,
        adoptedBy: principal.subject,
      });
      const changed = previous?.agreementId !== agreement.id;
      await this.accessLog.record(
        {
          principal,
          action: 'RETENTION_AGREEMENT_ADOPTED',
          resourceType: 'retention-agreement',
          resourceId: agreement.id,
          organisationId,
          purpose: 'RETENTION',
          changedFields: [...(changed ? ['agreementId'] : []), 'reason'],
          changedValues: changed
            ? { agreementId: { from: previous?.agreementId ?? null, to: agreement.id } }
            : {},
        },
        tx,
      );
      return this.adoptionResult(tx, organisationId, previous, reschedule);
    });
  }

  /** The organisation leaves its agreement: the defaults (and its overrides) apply again. */
  async leave(principal: Principal, organisationId: string, reschedule: Reschedule): Promise<AdoptionView> {
    return this.repository.transaction(async (tx) => {
      const previous = await this.repository.adoption(tx, organisationId);
      if (!previous || !(await this.repository.removeAdoption(tx, organisationId)))
        throw new PolicyError('AGREEMENT_NOT_ADOPTED', 'This organisation has adopted no agreement.');
      await this.accessLog.record(
        {
          principal,
          action: 'RETENTION_AGREEMENT_LEFT',
          resourceType: 'retention-agreement',
          resourceId: previous.agreementId,
          organisationId,
          purpose: 'RETENTION',
          changedFields: ['agreementId'],
          changedValues: { agreementId: { from: previous.agreementId, to: null } },
        },
        tx,
      );
      return this.adoptionResult(tx, organisationId, previous, reschedule);
    });
  }

  private async adoptionResult(
    tx: Tx,
    organisationId: string,
    previous: AdoptionRow | null,
    reschedule: Reschedule,
  ): Promise<AdoptionView> {
    const adoption = await this.repository.adoption(tx, organisationId);
    const overrides = await this.repository.overrides({ organisationId }, tx);
    const touched = new Set<DataCategory>([
      ...(this.agreementCatalogue.get(previous?.agreementId ?? '')?.policies.keys() ?? []),
      ...(this.agreementCatalogue.get(adoption?.agreementId ?? '')?.policies.keys() ?? []),
    ]);
    let rescheduled = 0;
    const policies = [];
    for (const category of DataCategorySymbols) {
      const o = overrides.find((x) => x.category === category) ?? null;
      const policy = this.inForce(category, o, adoption);
      if (touched.has(category)) rescheduled += await reschedule(tx, { ...policy, organisationId });
      policies.push(view(policy, o));
    }
    return {
      organisationId,
      agreement: adoption
        ? {
            agreementId: adoption.agreementId,
            reason: adoption.reason,
            adoptedBy: adoption.adoptedBy,
            adoptedAt: adoption.adoptedAt.toISOString(),
          }
        : null,
      policies,
      rescheduled,
    };
  }
}

function view(policy: EffectivePolicy, override: OverrideRow | null): PolicyView {
  return {
    ...policy,
    override: override
      ? {
          reason: override.reason,
          updatedBy: override.updatedBy,
          updatedAt: override.updatedAt.toISOString(),
        }
      : null,
  };
}
