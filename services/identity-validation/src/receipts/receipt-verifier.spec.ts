import { generateKeyPairSync, sign } from 'node:crypto';
import { verifyReceipt } from './receipt-verifier';

const pair = generateKeyPairSync('ed25519');
const x = pair.publicKey.export({ format: 'jwk' }).x!;

function receipt(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const h = Buffer.from(
    JSON.stringify({ alg: 'EdDSA', kid: 'rk1', typ: 'divit-consent-receipt+jws', ...header }),
  ).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${h}.${p}.${sign(null, Buffer.from(`${h}.${p}`), pair.privateKey).toString('base64url')}`;
}

const payload = {
  iss: 'divit-consent',
  jti: 'receipt-1',
  cid: '0b1c1f10-4c52-4b1e-9d3e-7a4f1e2d3c4b',
  sub: '1a2b3c4d-1111-4222-8333-444455556666',
  role: 'HOME_SEEKER',
  rid: '1a2b3c4d-1111-4222-8333-444455556666',
  aid: null,
  org: '9f8e7d6c-5b4a-4321-8765-43210fedcba9',
  ctl: { route: 'A', controllers: ['9f8e7d6c-5b4a-4321-8765-43210fedcba9'] },
  pur: 'BSN_AT_REGISTRATION',
  txt: 'a'.repeat(64),
  iat: 1,
};
const keys = (kid: string) => Promise.resolve(kid === 'rk1' ? { keyId: 'rk1', publicKey: x } : null);

describe('consent receipt verification', () => {
  it('accepts a receipt signed with a known key', async () => {
    const r = await verifyReceipt(receipt(payload), keys);
    expect(r).toMatchObject({
      receiptId: 'receipt-1',
      purpose: 'BSN_AT_REGISTRATION',
      keyId: 'rk1',
      allocationId: null,
    });
  });

  it('refuses a bad signature', async () => {
    const good = receipt(payload);
    const tampered = good.replace(
      /\.([^.]+)\./,
      (_m: string, _p: string) =>
        `.${Buffer.from(JSON.stringify({ ...payload, sub: payload.org })).toString('base64url')}.`,
    );
    expect(tampered).not.toBe(good);
    await expect(verifyReceipt(tampered, keys)).rejects.toMatchObject({
      reason: 'RECEIPT_SIGNATURE_INVALID',
    });
  });

  it('refuses an unknown key id (retryable upstream) and a non-BSN purpose', async () => {
    await expect(verifyReceipt(receipt(payload, { kid: 'other' }), keys)).rejects.toMatchObject({
      reason: 'RECEIPT_KEY_UNKNOWN',
    });
    await expect(verifyReceipt(receipt({ ...payload, pur: 'SOMETHING_ELSE' }), keys)).rejects.toMatchObject({
      reason: 'RECEIPT_PURPOSE_NOT_BSN',
    });
    await expect(verifyReceipt(receipt({ ...payload, txt: 'abc' }), keys)).rejects.toMatchObject({
      reason: 'RECEIPT_MALFORMED',
    });
    await expect(verifyReceipt('not-a-jws', keys)).rejects.toMatchObject({ reason: 'RECEIPT_MALFORMED' });
  });
});
