import { generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { publicKeyFromX, receiptPayload, signReceipt, verifyReceipt, xOfPublicKey } from './consent-receipt';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keys = new Map([['k1', publicKey]]);
const lookup =
  (map: ReadonlyMap<string, KeyObject>) =>
  (kid: string): KeyObject | null =>
    map.get(kid) ?? null;
const payload = receiptPayload({
  jti: randomUUID(),
  cid: randomUUID(),
  sub: randomUUID(),
  role: 'HOME_SEEKER',
  rid: randomUUID(),
  aid: null,
  org: randomUUID(),
  ctl: { route: 'C', controllers: [randomUUID(), randomUUID()] },
  pur: 'BSN_AT_REGISTRATION',
  txt: 'a'.repeat(64),
  iat: 1_763_900_000,
});

/** The receipt signer consent used before the shared module (node:crypto by hand): issued receipts look like this. */
function handWrittenReceipt(
  p: unknown,
  kid: string,
  key: KeyObject,
  header?: Record<string, unknown>,
): string {
  const b64url = (data: string) => Buffer.from(data).toString('base64url');
  const h = header ?? { alg: 'EdDSA', kid, typ: 'divit-consent-receipt+jws' };
  const signingInput = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(p))}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput, 'ascii'), key).toString('base64url')}`;
}

describe('consent receipts (compact JWS, Ed25519, jose)', () => {
  let jws: string;
  let h: string;
  let p: string;
  let s: string;
  beforeAll(async () => {
    jws = await signReceipt(payload, 'k1', privateKey);
    [h, p, s] = jws.split('.') as [string, string, string];
  });

  it('has the agreed header and payload, members in order', () => {
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({
      alg: 'EdDSA',
      kid: 'k1',
      typ: 'divit-consent-receipt+jws',
    });
    expect(Object.keys(JSON.parse(Buffer.from(h, 'base64url').toString()) as object)).toEqual([
      'alg',
      'kid',
      'typ',
    ]);
    const decoded = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual([
      'iss',
      'jti',
      'cid',
      'sub',
      'role',
      'rid',
      'aid',
      'org',
      'ctl',
      'pur',
      'txt',
      'iat',
    ]);
    expect(decoded).toEqual(payload);
  });

  it('is byte for byte the receipt the earlier hand-written signer made, and verifies receipts it issued', async () => {
    expect(jws).toBe(handWrittenReceipt(payload, 'k1', privateKey));
    const issued = handWrittenReceipt({ ...payload, pur: 'BSN_AND_INCOME_AT_ALLOCATION' }, 'k1', privateKey);
    expect(await verifyReceipt(issued, lookup(keys))).toMatchObject({
      valid: true,
      payload: { pur: 'BSN_AND_INCOME_AT_ALLOCATION' },
    });
  });

  it('verifies with the public key', async () => {
    expect(await verifyReceipt(jws, lookup(keys))).toEqual({
      valid: true,
      header: { alg: 'EdDSA', kid: 'k1', typ: 'divit-consent-receipt+jws' },
      payload,
    });
  });

  it('fails after tampering with the payload or the signature', async () => {
    const forged = Buffer.from(JSON.stringify({ ...payload, pur: 'BSN_AND_INCOME_AT_ALLOCATION' })).toString(
      'base64url',
    );
    expect(await verifyReceipt(`${h}.${forged}.${s}`, lookup(keys))).toEqual({
      valid: false,
      reason: 'BAD_SIGNATURE',
    });
    const sig = Buffer.from(s, 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    expect(await verifyReceipt(`${h}.${p}.${sig.toString('base64url')}`, lookup(keys))).toEqual({
      valid: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it('fails with another key, an unknown kid, a wrong alg, a wrong typ or garbage', async () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(await verifyReceipt(jws, lookup(new Map([['k1', other]])))).toMatchObject({
      reason: 'BAD_SIGNATURE',
    });
    expect(await verifyReceipt(jws, lookup(new Map([['k2', publicKey]])))).toMatchObject({
      reason: 'UNKNOWN_KEY',
    });
    const none = Buffer.from(
      JSON.stringify({ alg: 'none', kid: 'k1', typ: 'divit-consent-receipt+jws' }),
    ).toString('base64url');
    expect(await verifyReceipt(`${none}.${p}.`, lookup(keys))).toMatchObject({
      reason: 'UNSUPPORTED_HEADER',
    });
    expect(await verifyReceipt(`${none}.${p}.${s}`, lookup(keys))).toMatchObject({
      reason: 'UNSUPPORTED_HEADER',
    });
    const wrongTyp = handWrittenReceipt(payload, 'k1', privateKey, { alg: 'EdDSA', kid: 'k1', typ: 'JWT' });
    expect(await verifyReceipt(wrongTyp, lookup(keys))).toMatchObject({ reason: 'UNSUPPORTED_HEADER' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await verifyReceipt(jws, lookup(new Map([['k1', rsa.publicKey]])))).toMatchObject({
      reason: 'UNKNOWN_KEY',
    });
    expect(await verifyReceipt('not-a-jws', lookup(keys))).toEqual({ valid: false, reason: 'MALFORMED' });
  });

  it('refuses a signed payload that is not a receipt, and names an unknown purpose', async () => {
    const notReceipt = handWrittenReceipt({ ...payload, txt: 'abc' }, 'k1', privateKey);
    expect(await verifyReceipt(notReceipt, lookup(keys))).toEqual({
      valid: false,
      reason: 'PAYLOAD_NOT_A_RECEIPT',
    });
    const purpose = handWrittenReceipt({ ...payload, pur: 'SOMETHING_ELSE' }, 'k1', privateKey);
    expect(await verifyReceipt(purpose, lookup(keys))).toEqual({ valid: false, reason: 'UNKNOWN_PURPOSE' });
  });

  it('refuses to sign with a key that is not Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(signReceipt(payload, 'k1', rsa.privateKey)).rejects.toThrow('Ed25519');
  });

  it('round-trips the public key through its JWK x', async () => {
    const x = xOfPublicKey(publicKey);
    expect(Buffer.from(x, 'base64url')).toHaveLength(32);
    expect(await verifyReceipt(jws, lookup(new Map([['k1', publicKeyFromX(x)]])))).toMatchObject({
      valid: true,
    });
  });
});
