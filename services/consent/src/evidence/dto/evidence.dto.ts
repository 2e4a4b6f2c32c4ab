import { z } from 'zod';
import { accessLogEntryView } from '@divit/access-log';
import { draftElementsSchema } from '../../consent-texts/consent-elements';
import { ed25519JwkView } from '../../signing-keys/dto/signing-keys.dto';

export const registrationIdParam = z.strictObject({ id: z.uuid() });

/** One showing of a consent text, the exact text shown, and the answer to it (if any). */
export const evidenceEntryView = z.object({
  showing: z.object({
    showingId: z.uuid(),
    shownAt: z.iso.datetime(),
    channel: z.string(),
    subjectId: z.string(),
    subjectRole: z.string(),
    allocationId: z.uuid().nullable(),
    purpose: z.string(),
    controller: z.object({
      route: z.string(),
      controllers: z.array(z.object({ organisationId: z.uuid(), name: z.string().nullable() })),
    }),
  }),
  text: z.object({
    textId: z.uuid(),
    version: z.number().int().nullable(),
    audience: z.string(),
    language: z.string(),
    versionHash: z.string(),
    publishedAt: z.iso.datetime().nullable(),
    elements: draftElementsSchema,
  }),
  answer: z
    .object({
      consentId: z.uuid(),
      answer: z.string(),
      answeredAt: z.iso.datetime(),
      receiptId: z.uuid().nullable(),
      receipt: z.string().nullable(),
      receiptKid: z.string().nullable(),
      withdrawnAt: z.iso.datetime().nullable(),
    })
    .nullable(),
});
export type EvidenceEntry = z.infer<typeof evidenceEntryView>;

/** The full consent history of a registration for auditors. */
export const consentEvidenceView = z.object({
  registrationId: z.uuid(),
  organisationId: z.uuid(),
  generatedAt: z.iso.datetime(),
  note: z.string(),
  entries: z.array(evidenceEntryView),
  /** The public keys the receipts above were signed with (JWKS). */
  signingKeys: z.array(ed25519JwkView),
});
export type ConsentEvidence = z.infer<typeof consentEvidenceView>;

export const consentAccessLogView = z.array(accessLogEntryView);
