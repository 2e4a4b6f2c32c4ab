import { z } from 'zod';
import { DataCategorySymbols } from '@divit/contracts';
import { plainText } from '@divit/service-kit';
import { isoDuration } from '../policy';

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
