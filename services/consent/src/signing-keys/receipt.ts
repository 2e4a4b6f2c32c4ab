import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import type { ConsentPurpose, Route, SubjectRole } from '@divit/contracts';

export const RECEIPT_TYP = 'divit-consent-receipt+jws';
export const RECEIPT_ISSUER = 'divit-consent';

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
  alg: 'EdDSA';
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

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

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

/** Compact JWS (RFC 7515) over the payload, signed with Ed25519 (RFC 8037, alg EdDSA). */
export function signReceipt(payload: ReceiptPayload, kid: string, privateKey: KeyObject): string {
  const header: ReceiptHeader = { alg: 'EdDSA', kid, typ: RECEIPT_TYP };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = sign(null, Buffer.from(signingInput, 'ascii'), privateKey);
  return `${signingInput}.${b64url(signature)}`;
}

export type ReceiptVerification =
  | { valid: true; header: ReceiptHeader; payload: ReceiptPayload }
  | { valid: false; reason: ReceiptInvalidReason; header?: Record<string, unknown>; payload?: unknown };

export type ReceiptInvalidReason =
  'MALFORMED' | 'UNSUPPORTED_HEADER' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'PAYLOAD_NOT_A_RECEIPT';

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

/**
 * Verifies a compact JWS receipt against public keys by kid: header (alg EdDSA, typ, kid known), the Ed25519
 * signature over the exact signing input, then the payload's shape. Pure; usable offline.
 */
export function verifyReceipt(jws: string, keys: ReadonlyMap<string, KeyObject>): ReceiptVerification {
  const parts = jws.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    return { valid: false, reason: 'MALFORMED' };
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as unknown;
  } catch {
    return { valid: false, reason: 'MALFORMED' };
  }
  if (typeof header !== 'object' || header === null) return { valid: false, reason: 'MALFORMED' };
  if (header.alg !== 'EdDSA' || header.typ !== RECEIPT_TYP || typeof header.kid !== 'string')
    return { valid: false, reason: 'UNSUPPORTED_HEADER', header, payload };
  const key = keys.get(header.kid);
  if (!key) return { valid: false, reason: 'UNKNOWN_KEY', header, payload };
  const ok = verify(null, Buffer.from(`${h}.${p}`, 'ascii'), key, Buffer.from(s, 'base64url'));
  if (!ok) return { valid: false, reason: 'BAD_SIGNATURE', header, payload };
  if (!isReceiptPayload(payload)) return { valid: false, reason: 'PAYLOAD_NOT_A_RECEIPT', header, payload };
  return { valid: true, header: header as unknown as ReceiptHeader, payload };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isReceiptPayload(v: unknown): v is ReceiptPayload {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const ctl = o.ctl as Record<string, unknown> | undefined;
  return (
    o.iss === RECEIPT_ISSUER &&
    [o.jti, o.cid, o.sub, o.rid, o.org].every((x) => typeof x === 'string' && UUID.test(x)) &&
    (o.aid === null || (typeof o.aid === 'string' && UUID.test(o.aid))) &&
    (o.role === 'HOME_SEEKER' || o.role === 'CO_RESIDENT') &&
    typeof ctl === 'object' &&
    ctl !== null &&
    (ctl.route === 'A' || ctl.route === 'B' || ctl.route === 'C') &&
    Array.isArray(ctl.controllers) &&
    typeof o.pur === 'string' &&
    ['BSN_AT_REGISTRATION', 'BSN_FOR_EXISTING_REGISTRATION', 'BSN_AND_INCOME_AT_ALLOCATION'].includes(
      o.pur,
    ) &&
    typeof o.txt === 'string' &&
    /^[0-9a-f]{64}$/.test(o.txt) &&
    typeof o.iat === 'number' &&
    Number.isInteger(o.iat)
  );
}

/** The JWK of a public key (for the JWKS document). */
export function jwkOf(kid: string, x: string): Ed25519Jwk {
  return { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
}
