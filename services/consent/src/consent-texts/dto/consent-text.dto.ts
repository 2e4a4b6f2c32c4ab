import { z } from 'zod';
import { ConsentPurposeSymbols, RouteSymbols } from '@divit/contracts';
import { draftElementsSchema, REQUIRED_ELEMENTS } from '../consent-elements';

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

/** A consent text as the API returns it (draft or published version). */
export const consentTextView = z.object({
  id: z.uuid(),
  organisationId: z.uuid(),
  audience: audienceSchema,
  purpose: purposeSchema,
  language: languageSchema,
  status: z.enum(['DRAFT', 'PUBLISHED']),
  /** 1, 2, … once published; null for a draft. */
  version: z.number().int().nullable(),
  /** Content hash of the published version; null for a draft. */
  versionHash: z.string().nullable(),
  elements: draftElementsSchema,
  /** Required elements a draft still lacks (empty once publishable). */
  missingElements: z.array(z.object({ element: z.enum(REQUIRED_ELEMENTS), reason: z.string() })),
  createdAt: z.iso.datetime(),
  publishedAt: z.iso.datetime().nullable(),
  supersededAt: z.iso.datetime().nullable(),
});
export type ConsentTextView = z.infer<typeof consentTextView>;

/** A party named as controller (verwerkingsverantwoordelijke). */
export const controllerPartyView = z.object({ organisationId: z.uuid(), name: z.string().nullable() });

/** Who is controller under the organisation's route: A the corporation, B the allocator, C the members jointly. */
export const controllersView = z.object({
  route: z.enum(RouteSymbols),
  controllers: z.array(controllerPartyView),
});

/** The current published version, with the controller it names today (route A, B or C). */
export const currentConsentTextView = consentTextView.extend({ controller: controllersView });
export type CurrentConsentTextView = z.infer<typeof currentConsentTextView>;
