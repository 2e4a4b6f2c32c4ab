import { z } from 'zod';
import { DataCategorySymbols } from '@divit/contracts';
import { plainText } from '@divit/service-kit';
import { OwningServiceSymbols } from '@divit/contracts';
import { isoDuration, policySchema, retentionByOutcomeSchema } from '../policy';
import { agreementSchema } from '../agreements/agreement';

export const overrideParams = z.strictObject({
  category: z.enum(DataCategorySymbols),
  organisationId: z.uuid(),
});
export type OverrideParams = z.infer<typeof overrideParams>;

export const overrideSchema = z.strictObject({
  /** ISO-8601 duration within the category's legal minimum and maximum, e.g. P6M. */
  retention: isoDuration,
  reason: plainText({ max: 500 }),
});
export type OverrideDto = z.infer<typeof overrideSchema>;

export const policiesQuery = z.strictObject({
  /** The policies in force for this organisation (defaults with its overrides); omit for the defaults. */
  organisationId: z.uuid().optional(),
});

/** A policy in force: the default for the category, its agreement's (docs/adr/0036), or an organisation's override. */
export const policyView = policySchema.omit({ retention: true, retentionByOutcome: true }).extend({
  /** The retention; with `retentionByOutcome`, the one used when the trigger carries no known outcome (the longest). */
  retention: isoDuration,
  /** Retention per outcome of the trigger (the income decision's ELIGIBLE / NOT_ELIGIBLE), or null. */
  retentionByOutcome: retentionByOutcomeSchema.nullable(),
  /**
   * "default/<CATEGORY>", "agreement:<agreementId>/<CATEGORY>" or "<organisationId>/<CATEGORY>": carried on every
   * command it makes due, and naming where `source` comes from.
   */
  policyId: z.string(),
  organisationId: z.uuid().nullable(),
  /** The adopted agreement this policy comes from (its source), or null. */
  agreementId: z.string().nullable(),
  overridden: z.boolean(),
  targets: z.array(z.enum(OwningServiceSymbols)).readonly(),
  /** The override's reason and author, when overridden. */
  override: z.object({ reason: z.string(), updatedBy: z.string(), updatedAt: z.iso.datetime() }).nullable(),
});
export type PolicyView = z.infer<typeof policyView>;

/** The policy after a change, and how many waiting erasures got a new due time. */
export const policyChangeView = policyView.extend({ rescheduled: z.number().int() });
export type PolicyChangeView = z.infer<typeof policyChangeView>;

/** A shipped agreement: its policies (each with its policy id and source) and the rows the platform does not hold. */
export const agreementView = z.strictObject({
  id: z.string(),
  name: z.string(),
  sourceDocument: z.string(),
  policies: z.array(
    z.strictObject({
      category: z.enum(DataCategorySymbols),
      policyId: z.string(),
      retention: isoDuration,
      retentionByOutcome: retentionByOutcomeSchema.nullable(),
      source: z.string(),
      assumption: z.boolean(),
    }),
  ),
  notHeld: agreementSchema.shape.notHeld.unwrap(),
});
export type AgreementView = z.infer<typeof agreementView>;

export const adoptionParams = z.strictObject({ organisationId: z.uuid() });
export type AdoptionParams = z.infer<typeof adoptionParams>;

export const adoptionSchema = z.strictObject({
  /** The id of a shipped agreement (GET /agreements), e.g. "woonkans". */
  agreementId: z.string().min(1).max(40),
  reason: plainText({ max: 500 }),
});
export type AdoptionDto = z.infer<typeof adoptionSchema>;

/** An organisation's agreement (null after leaving it), the policies now in force for it, and erasures rescheduled. */
export const adoptionView = z.strictObject({
  organisationId: z.uuid(),
  agreement: z
    .strictObject({
      agreementId: z.string(),
      reason: z.string(),
      adoptedBy: z.string(),
      adoptedAt: z.iso.datetime(),
    })
    .nullable(),
  policies: z.array(policyView),
  rescheduled: z.number().int(),
});
export type AdoptionView = z.infer<typeof adoptionView>;
