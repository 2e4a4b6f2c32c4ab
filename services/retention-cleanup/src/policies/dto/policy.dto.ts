import { z } from 'zod';
import { DataCategorySymbols } from '@divit/contracts';
import { plainText } from '@divit/service-kit';
import { OwningServiceSymbols } from '@divit/contracts';
import { isoDuration, policySchema } from '../policy';

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

/** A policy in force: the default for the category, or an organisation's override of its retention. */
export const policyView = policySchema.extend({
  /** "default/<CATEGORY>" or "<organisationId>/<CATEGORY>": carried on every command it makes due. */
  policyId: z.string(),
  organisationId: z.uuid().nullable(),
  overridden: z.boolean(),
  targets: z.array(z.enum(OwningServiceSymbols)).readonly(),
  /** The override's reason and author, when overridden. */
  override: z.object({ reason: z.string(), updatedBy: z.string(), updatedAt: z.iso.datetime() }).nullable(),
});
export type PolicyView = z.infer<typeof policyView>;

/** The policy after a change, and how many waiting erasures got a new due time. */
export const policyChangeView = policyView.extend({ rescheduled: z.number().int() });
export type PolicyChangeView = z.infer<typeof policyChangeView>;
