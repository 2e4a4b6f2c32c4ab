import { createPublicKey, KeyObject, verify } from 'node:crypto';
import { z } from 'zod';

export const BSN_PURPOSES = [
  'BSN_AT_REGISTRATION',
  'BSN_FOR_EXISTING_REGISTRATION',
  'BSN_AND_INCOME_AT_ALLOCATION',
] as const;
export type BsnPurpose = (typeof BSN_PURPOSES)[number];

const uuid = z.uuid();

/** The payload of a consent receipt (compact JWS from the consent service). */
const receiptPayloadSchema = z.object({
  iss: z.literal('divit-consent'),
  jti: z.string().min(1),
  cid: uuid,
  sub: uuid,
  role: z.enum(['HOME_SEEKER', 'CO_RESIDENT']),
  rid: uuid,
  aid: uuid.nullable(),
  org: uuid,
  ctl: z.object({ route: z.string(), controllers: z.array(z.string()) }).loose(),
  pur: z.string(),
  txt: z.string(),
  iat: z.number(),
});

export type ReceiptPayload = z.infer<typeof receiptPayloadSchema>;

export interface VerifiedReceipt {
  receiptId: string;
  consentId: string;
  subjectId: string;
  subjectRole: 'HOME_SEEKER' | 'CO_RESIDENT';
  registrationId: string;
  allocationId: string | null;
  organisationId: string;
  purpose: BsnPurpose;
  keyId: string;
  issuedAt: number;
}

export type ReceiptRejection =
  'RECEIPT_MALFORMED' | 'RECEIPT_KEY_UNKNOWN' | 'RECEIPT_SIGNATURE_INVALID' | 'RECEIPT_PURPOSE_NOT_BSN';

export class ReceiptRejectedError extends Error {
  constructor(
    readonly reason: ReceiptRejection,
    message: string,
  ) {
    super(message);
    this.name = 'ReceiptRejectedError';
  }
}

/** A receipt signing key as published on divit.consent.receipt-keys.v1. */
export interface ReceiptKey {
  keyId: string;
  /** Raw Ed25519 public key, base64url (JWK x). */
  publicKey: string;
}

/** Ed25519 public key from its JWK x (raw 32 bytes, base64url). */
export function ed25519FromJwkX(x: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/**
 * Verifies a consent receipt: compact JWS `header.payload.signature`, header
 * `{alg:"EdDSA", kid, typ:"divit-consent-receipt+jws"}`, signed with the consent service's Ed25519 key
 * `kid` (looked up with `keyFor`). Receipts signed with a retired key stay verifiable.
 */
export async function verifyReceipt(
  compact: string,
  keyFor: (keyId: string) => Promise<ReceiptKey | null>,
): Promise<VerifiedReceipt> {
  const parts = compact.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p)))
    throw new ReceiptRejectedError('RECEIPT_MALFORMED', 'receipt is not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = parseJson(h);
  const headerCheck = z
    .object({ alg: z.literal('EdDSA'), kid: z.string().min(1), typ: z.literal('divit-consent-receipt+jws') })
    .safeParse(header);
  if (!headerCheck.success)
    throw new ReceiptRejectedError('RECEIPT_MALFORMED', 'receipt header must be {alg: EdDSA, kid, typ}');
  const key = await keyFor(headerCheck.data.kid);
  if (!key)
    throw new ReceiptRejectedError(
      'RECEIPT_KEY_UNKNOWN',
      `receipt signing key ${headerCheck.data.kid} is not known yet`,
    );
  let publicKey: KeyObject;
  try {
    publicKey = ed25519FromJwkX(key.publicKey);
  } catch {
    throw new ReceiptRejectedError('RECEIPT_KEY_UNKNOWN', `receipt signing key ${key.keyId} is unusable`);
  }
  const signature = Buffer.from(s, 'base64url');
  const ok = verify(null, Buffer.from(`${h}.${p}`, 'ascii'), publicKey, signature);
  if (!ok) throw new ReceiptRejectedError('RECEIPT_SIGNATURE_INVALID', 'receipt signature does not verify');
  const payload = receiptPayloadSchema.safeParse(parseJson(p));
  if (!payload.success)
    throw new ReceiptRejectedError(
      'RECEIPT_MALFORMED',
      `receipt payload is invalid at ${payload.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  const v = payload.data;
  if (!(BSN_PURPOSES as readonly string[]).includes(v.pur))
    throw new ReceiptRejectedError('RECEIPT_PURPOSE_NOT_BSN', 'receipt is not for a BSN process');
  return {
    receiptId: v.jti,
    consentId: v.cid,
    subjectId: v.sub,
    subjectRole: v.role,
    registrationId: v.rid,
    allocationId: v.aid,
    organisationId: v.org,
    purpose: v.pur as BsnPurpose,
    keyId: headerCheck.data.kid,
    issuedAt: v.iat,
  };
}

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new ReceiptRejectedError('RECEIPT_MALFORMED', 'receipt segment is not base64url JSON');
  }
}
