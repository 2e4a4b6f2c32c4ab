import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Private signing keys are stored encrypted (AES-256-GCM) under a key-encryption key (KEK) from secret config
 * (CONSENT_KEY_ENCRYPTION_KEY). Without one — development and tests only; production refuses to start — the
 * KEK is derived from a constant that is in this source file: that is NOT protection, and the rows say so
 * (`protection = AES256GCM_DEV_KEY_INSECURE`, a warning is logged at start).
 */
export const INSECURE_DEV_KEK = createHash('sha256')
  .update('divit-consent INSECURE development KEK')
  .digest();

/** `v1.<iv>.<tag>.<ciphertext>` (base64url), AAD = the key id so a ciphertext cannot be moved to another kid. */
export function encryptPrivateKey(pkcs8Der: Buffer, kek: Buffer, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptPrivateKey(sealed: string, kek: Buffer, kid: string): Buffer {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || !body) throw new Error('unknown private key format');
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
}
