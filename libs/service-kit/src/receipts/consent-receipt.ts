import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, errors, JWSHeaderParameters } from 'jose';
import { z } from 'zod';
import { ConsentPurposeSymbols } from '@divit/contracts';
import type { ConsentPurpose, Route, SubjectRole } from '@divit/contracts';

/**
 * Consent receipts (docs/adr/0008, 0021): a compact JWS (RFC 7515) over the receipt payload, signed by the consent
 * service with Ed25519 (RFC 8037, alg EdDSA), header `{alg, kid, typ}`. The one implementation of signing and
 * verifying them: consent signs and verifies (its verification endpoint and offline CLI), identity-validation
 * verifies before it opens a sharing session. The format is a contract: receipts already issued must keep
 * verifying, so the header and payload members and their order do not change.
 */
export const RECEIPT_TYP = 'divit-consent-receipt+jws';
export const RECEIPT_ISSUER = 'divit-consent';
export const RECEIPT_ALGORITHM = 'EdDSA';

/** The receipt payload; identity-validation verifies it and checks `pur`, so its shape is a contract. */
export interface ReceiptPayload {
  iss: typeof RECEIPT_ISSUER;
  jti: string;
  cid: string;
  sub: string;
  role: SubjectRole;
  rid: string;
  aid: string | null;
  org: string;
  ctl: { route: Route; controllers: string[] };
  pur: ConsentPurpose;
  txt: string;
  iat: number;
}

export interface ReceiptHeader {
  alg: typeof RECEIPT_ALGORITHM;
  kid: string;
  typ: typeof RECEIPT_TYP;
}

/** A public key as a JWK (OKP, Ed25519). */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** Builds the payload with its members in the documented order. */
export function receiptPayload(p: Omit<ReceiptPayload, 'iss'>): ReceiptPayload {
  return {
    iss: RECEIPT_ISSUER,
    jti: p.jti,
    cid: p.cid,
    sub: p.sub,
    role: p.role,
    rid: p.rid,
    aid: p.aid,
    org: p.org,
    ctl: { route: p.ctl.route, controllers: [...p.ctl.controllers] },
    pur: p.pur,
    txt: p.txt,
    iat: p.iat,
  };
}

/** Signs a receipt: compact JWS over the payload's JSON, header `{alg: EdDSA, kid, typ}`, Ed25519 key `kid`. */
export async function signReceipt(
  payload: ReceiptPayload,
  kid: string,
  privateKey: KeyObject,
): Promise<string> {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('receipt signing keys must be Ed25519');
  const header: ReceiptHeader = { alg: RECEIPT_ALGORITHM, kid, typ: RECEIPT_TYP };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...header })
    .sign(privateKey);
}

/**
 * Why a receipt does not verify. `UNKNOWN_PURPOSE`: signed and well-formed, but `pur` is no consent purpose the
 * platform knows (each service decides what that means for it).
 */
export type ReceiptInvalidReason =
  | 'MALFORMED'
  | 'UNSUPPORTED_HEADER'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'PAYLOAD_NOT_A_RECEIPT'
  | 'UNKNOWN_PURPOSE';

export type ReceiptVerification =
  | { valid: true; header: ReceiptHeader; payload: ReceiptPayload }
  | { valid: false; reason: ReceiptInvalidReason };

/** The public key of a key id, or null when it is not known (yet). */
export type ReceiptKeyLookup = (kid: string) => KeyObject | null | Promise<KeyObject | null>;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const payloadSchema = z.object({
  iss: z.literal(RECEIPT_ISSUER),
  jti: z.string().min(1),
  cid: uuid,
  sub: uuid,
  role: z.enum(['HOME_SEEKER', 'CO_RESIDENT']),
  rid: uuid,
  aid: uuid.nullable(),
  org: uuid,
  ctl: z.object({ route: z.enum(['A', 'B', 'C']), controllers: z.array(z.string()) }),
  pur: z.string(),
  txt: z.string().regex(/^[0-9a-f]{64}$/),
  iat: z.number().int(),
});

class HeaderRefused extends Error {
  constructor(readonly reason: 'UNSUPPORTED_HEADER' | 'UNKNOWN_KEY') {
    super(reason);
  }
}

/**
 * Verifies a compact JWS receipt: header (alg EdDSA only, typ, a kid the lookup knows), the Ed25519 signature over
 * the exact signing input, then the payload's shape and purpose. Receipts signed with a retired key stay valid
 * as long as the lookup still returns its public key. Pure apart from the lookup; usable offline.
 */
export async function verifyReceipt(jws: string, keyFor: ReceiptKeyLookup): Promise<ReceiptVerification> {
  const compact = jws.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(compact)) return invalid('MALFORMED');
  let header: JWSHeaderParameters;
  let payloadBytes: Uint8Array;
  try {
    const result = await compactVerify(
      compact,
      async (protectedHeader) => {
        if (
          protectedHeader.typ !== RECEIPT_TYP ||
          typeof protectedHeader.kid !== 'string' ||
          !protectedHeader.kid
        )
          throw new HeaderRefused('UNSUPPORTED_HEADER');
        const key = await keyFor(protectedHeader.kid);
        if (!key || key.type !== 'public' || key.asymmetricKeyType !== 'ed25519')
          throw new HeaderRefused('UNKNOWN_KEY');
        return key;
      },
      { algorithms: [RECEIPT_ALGORITHM] },
    );
    header = result.protectedHeader;
    payloadBytes = result.payload;
  } catch (error) {
    if (error instanceof HeaderRefused) return invalid(error.reason);
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
      return invalid('UNSUPPORTED_HEADER');
    if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('BAD_SIGNATURE');
    return invalid('MALFORMED');
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return invalid('MALFORMED');
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return invalid('PAYLOAD_NOT_A_RECEIPT');
  if (!(ConsentPurposeSymbols as readonly string[]).includes(parsed.data.pur))
    return invalid('UNKNOWN_PURPOSE');
  return {
    valid: true,
    header: { alg: RECEIPT_ALGORITHM, kid: header.kid ?? '', typ: RECEIPT_TYP },
    payload: receiptPayload(parsed.data as ReceiptPayload),
  };
}

const invalid = (reason: ReceiptInvalidReason): ReceiptVerification => ({ valid: false, reason });

/** Public key from the raw 32 bytes (JWK "x", base64url). */
export function publicKeyFromX(x: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

export function xOfPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.x) throw new Error('not an Ed25519 key');
  return jwk.x;
}

export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('signing keys must be Ed25519');
  return key;
}

/** The JWK of a public key (for the JWKS document). */
export function jwkOf(kid: string, x: string): Ed25519Jwk {
  return { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
}
