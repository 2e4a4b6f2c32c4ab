import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { decryptPrivateKey, encryptPrivateKey, INSECURE_DEV_KEK } from './key-protection';
import { publicKeyFromX, receiptPayload, signReceipt, verifyReceipt, xOfPublicKey } from './receipt';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keys = new Map([['k1', publicKey]]);
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

describe('consent receipts (compact JWS, Ed25519)', () => {
  const jws = signReceipt(payload, 'k1', privateKey);
  const [h, p, s] = jws.split('.') as [string, string, string];

  it('has the agreed header and payload, members in order', () => {
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({
      alg: 'EdDSA',
      kid: 'k1',
      typ: 'divit-consent-receipt+jws',
    });
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

  it('verifies with the public key', () => {
    expect(verifyReceipt(jws, keys)).toEqual({
      valid: true,
      header: { alg: 'EdDSA', kid: 'k1', typ: 'divit-consent-receipt+jws' },
      payload,
    });
  });

  it('fails after tampering with the payload or the signature', () => {
    const forged = Buffer.from(JSON.stringify({ ...payload, pur: 'BSN_AND_INCOME_AT_ALLOCATION' })).toString(
      'base64url',
    );
    expect(verifyReceipt(`${h}.${forged}.${s}`, keys)).toMatchObject({
      valid: false,
      reason: 'BAD_SIGNATURE',
    });
    const sig = Buffer.from(s, 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    expect(verifyReceipt(`${h}.${p}.${sig.toString('base64url')}`, keys)).toMatchObject({
      valid: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it('fails with another key, an unknown kid, a wrong alg or garbage', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyReceipt(jws, new Map([['k1', other]]))).toMatchObject({
      valid: false,
      reason: 'BAD_SIGNATURE',
    });
    expect(verifyReceipt(jws, new Map([['k2', publicKey]]))).toMatchObject({
      valid: false,
      reason: 'UNKNOWN_KEY',
    });
    const none = Buffer.from(
      JSON.stringify({ alg: 'none', kid: 'k1', typ: 'divit-consent-receipt+jws' }),
    ).toString('base64url');
    expect(verifyReceipt(`${none}.${p}.`, keys)).toMatchObject({
      valid: false,
      reason: 'UNSUPPORTED_HEADER',
    });
    expect(verifyReceipt('not-a-jws', keys)).toEqual({ valid: false, reason: 'MALFORMED' });
  });

  it('round-trips the public key through its JWK x', () => {
    const x = xOfPublicKey(publicKey);
    expect(Buffer.from(x, 'base64url')).toHaveLength(32);
    expect(verifyReceipt(jws, new Map([['k1', publicKeyFromX(x)]]))).toMatchObject({ valid: true });
  });
});

describe('private key protection', () => {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });

  it('round-trips, and is bound to its kid', () => {
    const sealed = encryptPrivateKey(der, INSECURE_DEV_KEK, 'k1');
    expect(sealed).not.toContain(der.toString('base64url'));
    expect(decryptPrivateKey(sealed, INSECURE_DEV_KEK, 'k1').equals(der)).toBe(true);
    expect(() => decryptPrivateKey(sealed, INSECURE_DEV_KEK, 'k2')).toThrow();
    expect(() => decryptPrivateKey(sealed, Buffer.alloc(32, 7), 'k1')).toThrow();
  });
});
