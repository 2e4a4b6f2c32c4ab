import { z } from 'zod';
import { ConsentPurposeSymbols } from '@divit/contracts';
import { draftElementsSchema } from '../consent-elements';

export const audienceSchema = z.enum(['HOME_SEEKER', 'CO_RESIDENT']);
export const languageSchema = z.enum(['nl', 'en']);
export const purposeSchema = z.enum(ConsentPurposeSymbols);

export const createConsentTextSchema = z.strictObject({
  organisationId: z.uuid(),
  audience: audienceSchema,
  purpose: purposeSchema,
  language: languageSchema,
  /** The named parts (a draft may be incomplete; publication checks every required element). */
  elements: draftElementsSchema,
});
export type CreateConsentTextDto = z.infer<typeof createConsentTextSchema>;

export const textIdParam = z.strictObject({ id: z.uuid() });

export const currentTextQuery = z.strictObject({
  organisationId: z.uuid(),
  audience: audienceSchema,
  purpose: purposeSchema,
  language: languageSchema,
});
export type CurrentTextQuery = z.infer<typeof currentTextQuery>;
