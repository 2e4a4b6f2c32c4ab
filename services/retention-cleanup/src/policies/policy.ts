import { z } from 'zod';
import { DataCategorySymbols, OwningServiceSymbols } from '@divit/contracts';
import { POLICY_DATASET_PATTERN } from '@divit/service-kit';
import type { DataCategory, ErasureReason, OwningService } from '@divit/contracts';
import defaultsFile from './default-policies.json';

/**
 * What makes an erasure due. CONSENT_WITHDRAWN and PROCEDURE_FAILED are immediate (retention ignored);
 * the lifecycle triggers make it due at trigger time + retention; INCOME_DECISION starts the retention of
 * income used in a completed test; AGE is the sweep over records older than the retention.
 */
export const TRIGGERS = [
  'CONSENT_WITHDRAWN',
  'PROCEDURE_FAILED',
  'LEASE_SIGNED',
  'ALLOCATION_ENDED_WITHOUT_LEASE',
  'REGISTRATION_DEREGISTERED',
  'INCOME_DECISION',
  'AGE',
] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const IMMEDIATE_TRIGGERS: ReadonlySet<Trigger> = new Set(['CONSENT_WITHDRAWN', 'PROCEDURE_FAILED']);

/** The reason an erasure command carries for a trigger. */
export const reasonFor: Record<Trigger, ErasureReason> = {
  CONSENT_WITHDRAWN: 'CONSENT_WITHDRAWN',
  PROCEDURE_FAILED: 'PROCEDURE_FAILED',
  LEASE_SIGNED: 'LEASE_SIGNED',
  ALLOCATION_ENDED_WITHOUT_LEASE: 'ALLOCATION_ENDED_WITHOUT_LEASE',
  REGISTRATION_DEREGISTERED: 'REGISTRATION_DEREGISTERED',
  INCOME_DECISION: 'RETENTION_PERIOD_ENDED',
  AGE: 'RETENTION_PERIOD_ENDED',
};

/** Which service owns (and erases) each category. Access logs are kept by every service. */
export const OWNERS: Record<DataCategory, readonly OwningService[]> = {
  HASHED_BSN: ['IDENTITY_VALIDATION'],
  IDENTIFYING_DATA_FOR_CHECK: ['REGISTRATION'],
  REGISTRATION_DATA: ['REGISTRATION'],
  UNUSED_INCOME: ['INCOME_RETRIEVAL'],
  USED_INCOME: ['INCOME_RETRIEVAL'],
  CONSENT_PROOFS: ['CONSENT'],
  USAGE_LEDGER: ['BILLING_RECONCILIATION'],
  INVOICES_AND_REPORTS: ['BILLING_RECONCILIATION'],
  ACCESS_LOGS: OwningServiceSymbols,
};

const DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** An ISO-8601 duration of whole units (PostgreSQL reads the same text as an interval). */
export const isoDuration = z
  .string()
  .max(40)
  .regex(DURATION, 'an ISO-8601 duration such as P12M, P2Y, P30D or PT1S');

/** Approximate length in seconds (365.25-day years, 30.44-day months): for comparing against min/max only. */
export function durationSeconds(duration: string): number {
  const m = DURATION.exec(duration);
  if (!m) throw new Error(`not an ISO-8601 duration: ${duration}`);
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const day = 86400;
  return y * 365.25 * day + mo * 30.44 * day + w * 7 * day + d * day + h * 3600 + mi * 60 + s;
}

/**
 * A policy for one named dataset within a category (docs/adr/0031): its own retention, bounds and source, erased by
 * the category's owners on an age sweep whose command carries the category and the policy id
 * `default/<CATEGORY>/<DATASET>`. Only `AGE` triggers; not overridable per organisation.
 */
export const datasetPolicySchema = z.strictObject({
  dataset: z.string().regex(POLICY_DATASET_PATTERN, 'upper-case letters, digits and underscores'),
  description: z.string().min(1),
  retention: isoDuration,
  minimum: isoDuration,
  maximum: isoDuration,
  triggers: z.array(z.literal('AGE')).length(1),
  source: z.string().min(1),
  assumption: z.boolean(),
});

export type DatasetPolicy = z.infer<typeof datasetPolicySchema>;

/**
 * The outcomes a trigger event carries that the platform knows (docs/adr/0036): the income decision's conclusion of
 * a completed income test. Other triggers carry none; a retention by outcome is allowed only where every lifecycle
 * trigger of the category carries one.
 */
export const OUTCOMES = ['ELIGIBLE', 'NOT_ELIGIBLE'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_TRIGGERS: ReadonlySet<Trigger> = new Set(['INCOME_DECISION']);

/** A retention per outcome of the trigger, e.g. `{ "ELIGIBLE": "P15Y", "NOT_ELIGIBLE": "P5Y" }`: every outcome. */
export const retentionByOutcomeSchema = z.strictObject({ ELIGIBLE: isoDuration, NOT_ELIGIBLE: isoDuration });
export type RetentionByOutcome = z.infer<typeof retentionByOutcomeSchema>;

/** A category's policy as written in the defaults file: exactly one of `retention` and `retentionByOutcome`. */
export const policySchema = z.strictObject({
  category: z.enum(DataCategorySymbols),
  retention: isoDuration.optional(),
  /** Absent or null when `retention` is given. */
  retentionByOutcome: retentionByOutcomeSchema.nullable().optional(),
  minimum: isoDuration,
  maximum: isoDuration,
  alignToYearEnd: z.boolean(),
  triggers: z.array(z.enum(TRIGGERS)).min(1),
  source: z.string().min(1),
  assumption: z.boolean(),
  datasets: z.array(datasetPolicySchema).optional(),
});

type PolicyEntry = z.infer<typeof policySchema>;

/**
 * A category's policy after loading. `retention` is what applies when the trigger carries no known outcome: with a
 * `retentionByOutcome`, the longest of its periods (nothing goes before any outcome's period would let it).
 */
export type DefaultPolicy = Omit<PolicyEntry, 'retention' | 'retentionByOutcome'> & {
  retention: string;
  retentionByOutcome: RetentionByOutcome | null;
};

/** A policy in force for one category and organisation: the default, its agreement's, or its own override. */
export interface EffectivePolicy extends DefaultPolicy {
  /**
   * "default/<CATEGORY>", "agreement:<agreementId>/<CATEGORY>" or "<organisationId>/<CATEGORY>" (an override):
   * carried on every command it makes due. Two segments: owners read a third as a dataset (ADR 0031).
   */
  policyId: string;
  /** The organisation whose own policy this is (by its override or its agreement); null for the default. */
  organisationId: string | null;
  /** The agreement the organisation adopted, when its policy for this category comes from one (docs/adr/0036). */
  agreementId: string | null;
  overridden: boolean;
  targets: readonly OwningService[];
}

/**
 * Checks one retention (scalar or by outcome) against a category's bounds and triggers; returns it normalised, or
 * throws naming `where`. Used for the defaults and for every agreement's policy (docs/adr/0036).
 */
export function checkedRetention(
  where: string,
  bounds: Pick<DefaultPolicy, 'minimum' | 'maximum' | 'triggers'>,
  entry: { retention?: string | undefined; retentionByOutcome?: RetentionByOutcome | null | undefined },
): { retention: string; retentionByOutcome: RetentionByOutcome | null } {
  if ((entry.retention === undefined) === (entry.retentionByOutcome == null))
    throw new Error(`${where}: exactly one of retention and retentionByOutcome`);
  if (entry.retention !== undefined) {
    const problem = boundsProblem(bounds, entry.retention);
    if (problem) throw new Error(`${where}: ${problem}`);
    return { retention: entry.retention, retentionByOutcome: null };
  }
  const byOutcome = entry.retentionByOutcome!;
  const lifecycle = bounds.triggers.filter((t) => !IMMEDIATE_TRIGGERS.has(t));
  const without = lifecycle.filter((t) => !OUTCOME_TRIGGERS.has(t));
  if (lifecycle.length === 0 || without.length > 0)
    throw new Error(
      `${where}: retentionByOutcome needs triggers that carry an outcome (${[...OUTCOME_TRIGGERS].join(', ')}); ` +
        `${without.length > 0 ? without.join(', ') : 'none'} carr${without.length === 1 ? 'ies' : 'y'} none`,
    );
  for (const outcome of OUTCOMES) {
    const problem = boundsProblem(bounds, byOutcome[outcome]);
    if (problem) throw new Error(`${where}: ${outcome} ${byOutcome[outcome]} is ${problem}`);
  }
  return { retention: longestOf(OUTCOMES.map((o) => byOutcome[o])), retentionByOutcome: byOutcome };
}

function longestOf(durations: readonly string[]): string {
  return durations.reduce((a, b) => (durationSeconds(b) > durationSeconds(a) ? b : a));
}

/** The retention for a trigger's outcome: the outcome's period when the policy has one, else `retention`. */
export function retentionFor(
  policy: Pick<DefaultPolicy, 'retention' | 'retentionByOutcome'>,
  outcome: Outcome | null,
): string {
  return outcome && policy.retentionByOutcome ? policy.retentionByOutcome[outcome] : policy.retention;
}

export function policyIdFor(category: DataCategory, organisationId: string | null, dataset?: string): string {
  return `${organisationId ?? 'default'}/${category}${dataset === undefined ? '' : `/${dataset}`}`;
}

/** The policy id of an agreement's policy for a category (docs/adr/0036). */
export function agreementPolicyIdFor(agreementId: string, category: DataCategory): string {
  return `agreement:${agreementId}/${category}`;
}

/** Parses and checks the shipped defaults: every category exactly once, retention within its bounds. */
export function parseDefaultPolicies(file: unknown): Map<DataCategory, DefaultPolicy> {
  const parsed = z.object({ policies: z.array(policySchema) }).parse(file);
  const out = new Map<DataCategory, DefaultPolicy>();
  for (const p of parsed.policies) {
    if (out.has(p.category)) throw new Error(`default policy for ${p.category} given twice`);
    if (durationSeconds(p.minimum) > durationSeconds(p.maximum))
      throw new Error(`default policy for ${p.category}: minimum above maximum`);
    const retention = checkedRetention(`default policy for ${p.category}`, p, p);
    if (retention.retentionByOutcome && p.datasets?.length)
      throw new Error(`default policy for ${p.category}: datasets are age-triggered, no retentionByOutcome`);
    const datasets = new Set<string>();
    for (const d of p.datasets ?? []) {
      const name = `${p.category}/${d.dataset}`;
      if (datasets.has(d.dataset)) throw new Error(`dataset policy ${name} given twice`);
      datasets.add(d.dataset);
      const datasetProblem = boundsProblem(d, d.retention);
      if (datasetProblem) throw new Error(`dataset policy ${name}: ${datasetProblem}`);
      if (durationSeconds(d.minimum) > durationSeconds(d.maximum))
        throw new Error(`dataset policy ${name}: minimum above maximum`);
    }
    const { retention: _r, retentionByOutcome: _b, ...rest } = p;
    out.set(p.category, { ...rest, ...retention });
  }
  for (const c of DataCategorySymbols) if (!out.has(c)) throw new Error(`no default policy for ${c}`);
  return out;
}

/** Why `retention` is outside the policy's legal bounds, or null when it is within. */
export function boundsProblem(
  policy: Pick<DefaultPolicy, 'minimum' | 'maximum'>,
  retention: string,
): string | null {
  const s = durationSeconds(retention);
  if (s < durationSeconds(policy.minimum)) return `below the legal minimum ${policy.minimum}`;
  if (s > durationSeconds(policy.maximum)) return `above the legal maximum ${policy.maximum}`;
  return null;
}

export const DEFAULT_POLICIES: ReadonlyMap<DataCategory, DefaultPolicy> = parseDefaultPolicies(defaultsFile);

/** An agreement's policy for one category, as an organisation that adopted the agreement follows it. */
export interface AgreementPolicyInForce {
  agreementId: string;
  retention: string;
  retentionByOutcome: RetentionByOutcome | null;
  source: string;
  assumption: boolean;
}

/**
 * The policy in force for a category: the organisation's override (its retention, the rest from below), else the
 * policy of the agreement it adopted, else the default (docs/adr/0036: override > agreement > default).
 */
export function effective(
  base: DefaultPolicy,
  override: { organisationId: string; retention: string } | null,
  agreement: (AgreementPolicyInForce & { organisationId: string }) | null = null,
): EffectivePolicy {
  const fromAgreement = agreement
    ? {
        retention: agreement.retention,
        retentionByOutcome: agreement.retentionByOutcome,
        source: agreement.source,
        assumption: agreement.assumption,
      }
    : {};
  const organisationId = override?.organisationId ?? agreement?.organisationId ?? null;
  return {
    ...base,
    ...fromAgreement,
    ...(override ? { retention: override.retention, retentionByOutcome: null } : {}),
    policyId: override
      ? policyIdFor(base.category, override.organisationId)
      : agreement
        ? agreementPolicyIdFor(agreement.agreementId, base.category)
        : policyIdFor(base.category, null),
    organisationId,
    agreementId: agreement?.agreementId ?? null,
    overridden: override !== null,
    targets: OWNERS[base.category],
  };
}

/** Categories a trigger makes due, by their default policy (overrides change retention, not triggers). */
export function categoriesFor(trigger: Trigger): DataCategory[] {
  return [...DEFAULT_POLICIES.values()].filter((p) => p.triggers.includes(trigger)).map((p) => p.category);
}

/** Every dataset policy (ADR 0031) with its category, policy id and owning services, for the age sweep. */
export function datasetPolicies(): {
  category: DataCategory;
  policy: DatasetPolicy;
  policyId: string;
  targets: readonly OwningService[];
}[] {
  return [...DEFAULT_POLICIES.values()].flatMap((p) =>
    (p.datasets ?? []).map((policy) => ({
      category: p.category,
      policy,
      policyId: policyIdFor(p.category, null, policy.dataset),
      targets: OWNERS[p.category],
    })),
  );
}
