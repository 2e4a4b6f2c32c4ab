import { generateKeyPairSync } from 'node:crypto';
import { decryptPrivateKey, encryptPrivateKey, INSECURE_DEV_KEK } from './key-protection';

// Receipt signing and verification are tested with the shared module (libs/service-kit/src/receipts).
const { privateKey } = generateKeyPairSync('ed25519');

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
