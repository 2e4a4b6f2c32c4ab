import {
  publicKeyFromX,
  ReceiptInvalidReason,
  verifyReceipt as verifyConsentReceipt,
} from '@divit/service-kit';

export const BSN_PURPOSES = [
  'BSN_AT_REGISTRATION',
  'BSN_FOR_EXISTING_REGISTRATION',
  'BSN_AND_INCOME_AT_ALLOCATION',
] as const;
export type BsnPurpose = (typeof BSN_PURPOSES)[number];

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

/**
 * Verifies a consent receipt with the shared module (`verifyReceipt` in @divit/service-kit, the same code consent
 * signs with): compact JWS, header `{alg:"EdDSA", kid, typ:"divit-consent-receipt+jws"}`, signed with the consent
 * service's Ed25519 key `kid` (looked up with `keyFor`), then this service's rule that the purpose is a BSN process.
 * Receipts signed with a retired key stay verifiable.
 */
export async function verifyReceipt(
  compact: string,
  keyFor: (keyId: string) => Promise<ReceiptKey | null>,
): Promise<VerifiedReceipt> {
  let asked: string | undefined;
  const result = await verifyConsentReceipt(compact, async (kid) => {
    asked = kid;
    const key = await keyFor(kid);
    if (!key) return null;
    try {
      return publicKeyFromX(key.publicKey);
    } catch {
      return null;
    }
  });
  if (!result.valid) {
    const [reason, message] = REJECTIONS[result.reason];
    throw new ReceiptRejectedError(
      reason,
      result.reason === 'UNKNOWN_KEY' ? `receipt signing key ${asked ?? '?'} is not known yet` : message,
    );
  }
  const v = result.payload;
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
    purpose: v.pur,
    keyId: result.header.kid,
    issuedAt: v.iat,
  };
}

const REJECTIONS: Record<ReceiptInvalidReason, [ReceiptRejection, string]> = {
  MALFORMED: ['RECEIPT_MALFORMED', 'receipt is not a compact JWS'],
  UNSUPPORTED_HEADER: ['RECEIPT_MALFORMED', 'receipt header must be {alg: EdDSA, kid, typ}'],
  PAYLOAD_NOT_A_RECEIPT: ['RECEIPT_MALFORMED', 'receipt payload is not a consent receipt'],
  UNKNOWN_KEY: ['RECEIPT_KEY_UNKNOWN', 'receipt signing key is not known yet'],
  BAD_SIGNATURE: ['RECEIPT_SIGNATURE_INVALID', 'receipt signature does not verify'],
  UNKNOWN_PURPOSE: ['RECEIPT_PURPOSE_NOT_BSN', 'receipt is not for a BSN process'],
};
