import { z } from 'zod';
import { RouteSymbols, SubjectRoleSymbols } from '@divit/contracts';
import { RECEIPT_ISSUER } from '@divit/service-kit';
import { purposeSchema } from '../../consent-texts/dto/consent-text.dto';

export const verificationSchema = z.strictObject({ receipt: z.string().min(1).max(10_000) });
export type VerificationDto = z.infer<typeof verificationSchema>;

/** A public key as a JWK (RFC 7517, OKP/Ed25519). */
export const ed25519JwkView = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  kid: z.string(),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});

export const jwksView = z.object({ keys: z.array(ed25519JwkView) });
export type JwksView = z.infer<typeof jwksView>;

/** The signed claims of a consent receipt (docs: services/consent/README.md). */
export const receiptPayloadView = z.object({
  iss: z.literal(RECEIPT_ISSUER),
  jti: z.uuid(),
  cid: z.uuid(),
  sub: z.string(),
  role: z.enum(SubjectRoleSymbols),
  rid: z.uuid(),
  aid: z.uuid().nullable(),
  org: z.uuid(),
  ctl: z.object({ route: z.enum(RouteSymbols), controllers: z.array(z.uuid()) }),
  pur: purposeSchema,
  txt: z.string(),
  iat: z.number().int(),
});

export const receiptVerificationView = z.object({
  valid: z.boolean(),
  reason: z
    .enum(['MALFORMED', 'UNSUPPORTED_HEADER', 'UNKNOWN_KEY', 'BAD_SIGNATURE', 'PAYLOAD_NOT_A_RECEIPT'])
    .nullable(),
  kid: z.string().nullable(),
  /** The signing key was retired after signing; the receipt stays valid. */
  keyRetired: z.boolean().nullable(),
  payload: receiptPayloadView.nullable(),
});
export type ReceiptVerificationView = z.infer<typeof receiptVerificationView>;

export const signingKeyView = z.object({
  kid: z.string(),
  /** The public half (the private half never leaves the service). */
  publicKey: z.string(),
  activeFrom: z.iso.datetime(),
  retiredAt: z.iso.datetime().nullable(),
  protection: z.enum(['AES256GCM_KEK', 'AES256GCM_DEV_KEY_INSECURE']),
});
export type SigningKeyView = z.infer<typeof signingKeyView>;

export const rotationView = z.object({ active: signingKeyView, retired: z.array(signingKeyView) });
export type RotationView = z.infer<typeof rotationView>;
