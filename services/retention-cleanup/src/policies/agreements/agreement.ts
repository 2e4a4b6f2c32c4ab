import { z } from 'zod';
import { DataCategorySymbols } from '@divit/contracts';
import type { DataCategory } from '@divit/contracts';
import {
  checkedRetention,
  DEFAULT_POLICIES,
  DefaultPolicy,
  isoDuration,
  RetentionByOutcome,
  retentionByOutcomeSchema,
} from '../policy';
import woonkansFile from './woonkans.json';

/** One policy an agreement sets: a category the platform holds, its period(s), and the article it comes from. */
export const agreementPolicySchema = z.strictObject({
  category: z.enum(DataCategorySymbols),
  retention: isoDuration.optional(),
  retentionByOutcome: retentionByOutcomeSchema.optional(),
  source: z.string().min(1),
  assumption: z.boolean(),
});

/**
 * An agreement's own set of retention periods (docs/adr/0036), shipped as data in this folder: an organisation that
 * takes part in the agreement adopts it through the admin API. `notHeld`: the agreement's rows about data the
 * platform does not hold, with who holds it (documentation only, never applied).
 */
export const agreementSchema = z.strictObject({
  $comment: z.string().optional(),
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and hyphens'),
  name: z.string().min(1),
  sourceDocument: z.string().min(1),
  policies: z.array(agreementPolicySchema).min(1),
  notHeld: z
    .array(
      z.strictObject({
        row: z.string().min(1),
        retention: z.string().min(1),
        source: z.string().min(1),
        heldBy: z.string().min(1),
      }),
    )
    .default([]),
});

export interface AgreementPolicy {
  category: DataCategory;
  retention: string;
  retentionByOutcome: RetentionByOutcome | null;
  source: string;
  assumption: boolean;
}

export interface Agreement {
  id: string;
  name: string;
  sourceDocument: string;
  policies: ReadonlyMap<DataCategory, AgreementPolicy>;
  notHeld: z.infer<typeof agreementSchema>['notHeld'];
}

/**
 * Parses and checks agreement files: ids unique, each category once, every period within the category's legal
 * minimum and maximum of the defaults, a retention by outcome only where the category's triggers carry one, and no
 * agreement for an age-swept dataset (ADR 0031 dataset policies are not overridable).
 */
export function parseAgreements(
  files: readonly unknown[],
  defaults: ReadonlyMap<DataCategory, DefaultPolicy> = DEFAULT_POLICIES,
): ReadonlyMap<string, Agreement> {
  const out = new Map<string, Agreement>();
  for (const file of files) {
    const a = agreementSchema.parse(file);
    if (out.has(a.id)) throw new Error(`agreement ${a.id} given twice`);
    const policies = new Map<DataCategory, AgreementPolicy>();
    for (const p of a.policies) {
      const where = `agreement ${a.id}, policy for ${p.category}`;
      if (policies.has(p.category)) throw new Error(`${where} given twice`);
      const base = defaults.get(p.category);
      if (!base) throw new Error(`${where}: no default policy for the category`);
      policies.set(p.category, {
        category: p.category,
        ...checkedRetention(where, base, p),
        source: p.source,
        assumption: p.assumption,
      });
    }
    out.set(a.id, { ...a, policies });
  }
  return out;
}

/** The agreements shipped with the service (one file each in this folder). */
export const SHIPPED_AGREEMENTS: ReadonlyMap<string, Agreement> = parseAgreements([woonkansFile]);
