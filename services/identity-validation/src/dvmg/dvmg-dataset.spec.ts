import { generateKeyPairSync } from 'node:crypto';
import { signDataset, verifyDeliverySignature, dvmgVerificationKey } from './dvmg-dataset';

const dataset = {
  sessionId: '0b1c1f10-4c52-4b1e-9d3e-7a4f1e2d3c4b',
  kind: 'BSN' as const,
  status: 'SHARED' as const,
  loggedIn: true,
  bsn: '999990019',
  income: null,
  receivedAt: new Date(0).toISOString(),
};

describe('DvMG delivery signature', () => {
  it.each(['ed25519', 'rsa'] as const)(
    'verifies a %s signature with the PEM public key and refuses tampering',
    (type) => {
      const pair =
        type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      const envelope = signDataset(pair.privateKey, dataset);
      const key = dvmgVerificationKey(pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
      const bytes = Buffer.from(envelope.dataset, 'base64url');
      expect(verifyDeliverySignature(key, bytes, Buffer.from(envelope.signature, 'base64url'))).toBe(true);
      const other = Buffer.from(JSON.stringify({ ...dataset, bsn: '999990032' }));
      expect(verifyDeliverySignature(key, other, Buffer.from(envelope.signature, 'base64url'))).toBe(false);
    },
  );

  it('refuses a signature from another key', () => {
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    const envelope = signDataset(a.privateKey, dataset);
    expect(
      verifyDeliverySignature(
        b.publicKey,
        Buffer.from(envelope.dataset, 'base64url'),
        Buffer.from(envelope.signature, 'base64url'),
      ),
    ).toBe(false);
  });
});
