import { z } from 'zod';
import { SubjectRoleSymbols } from '@divit/contracts';
import { controllersView, purposeSchema } from '../../consent-texts/dto/consent-text.dto';

export const answerSchema = z.strictObject({
  showingId: z.uuid(),
  answer: z.enum(['GRANTED', 'REFUSED']),
});
export type AnswerDto = z.infer<typeof answerSchema>;

export const consentIdParam = z.strictObject({ id: z.uuid() });

/** A consent answer (grant or refusal) and whether it was withdrawn. */
export const consentView = z.object({
  consentId: z.uuid(),
  answer: z.enum(['GRANTED', 'REFUSED']),
  status: z.enum(['GRANTED', 'REFUSED', 'WITHDRAWN']),
  answeredAt: z.iso.datetime(),
  withdrawnAt: z.iso.datetime().nullable(),
  organisationId: z.uuid(),
  registrationId: z.uuid(),
  /** The person's pseudonymous subject id (never a BSN). */
  subjectId: z.string(),
  subjectRole: z.enum(SubjectRoleSymbols),
  allocationId: z.uuid().nullable(),
  purpose: purposeSchema,
  showingId: z.uuid(),
  textVersionHash: z.string(),
  controller: controllersView,
  receiptId: z.uuid().nullable(),
  /** Compact JWS (grants only): verify with GET /.well-known/jwks.json or POST /receipts/verification. */
  receipt: z.string().nullable(),
});
export type ConsentView = z.infer<typeof consentView>;

/** One person of an allocation: the latest showing and answer for the purpose. */
export const personStatusView = z.object({
  subjectId: z.string(),
  subjectRole: z.enum(SubjectRoleSymbols),
  purpose: purposeSchema,
  status: z.enum(['SHOWN_NOT_ANSWERED', 'GRANTED', 'REFUSED', 'WITHDRAWN']),
  consentId: z.uuid().nullable(),
  lastShownAt: z.iso.datetime().nullable(),
  answeredAt: z.iso.datetime().nullable(),
  withdrawnAt: z.iso.datetime().nullable(),
  textVersionHash: z.string().nullable(),
});
export type PersonStatus = z.infer<typeof personStatusView>;

export const allocationConsentStatusView = z.object({
  allocationId: z.uuid(),
  registrationId: z.uuid(),
  organisationId: z.uuid(),
  people: z.array(personStatusView),
  /** True when someone refused or withdrew: failure U1, the alternative (paper) route is needed. */
  alternativeRouteNeeded: z.boolean(),
});
export type AllocationConsentStatus = z.infer<typeof allocationConsentStatusView>;
