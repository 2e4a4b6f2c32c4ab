import { createHmac } from 'node:crypto';
import {
  loadIdentityValidationConfig,
  bsnHashKeys,
  BsnKeyConfigError,
} from '../config/identity-validation.config';
import { Bsn } from './bsn';
import { BsnHasher } from './bsn-hasher';

const secret = (fill: number) => Buffer.alloc(32, fill);
const bsn = Bsn.parse('999990019')!;

describe('BsnHasher (HMAC-SHA256 with key id)', () => {
  it('hashes with the active key: HMAC-SHA256 of the digits, hex, with the key id', () => {
    const hasher = new BsnHasher([{ id: 'k1', secret: secret(1) }], 'k1');
    const expected = createHmac('sha256', secret(1)).update('999990019').digest('hex');
    expect(hasher.hash(bsn)).toEqual({ keyId: 'k1', hash: expected });
  });

  it('different keys give different hashes; the hash never contains the digits', () => {
    const a = new BsnHasher([{ id: 'k1', secret: secret(1) }], 'k1').hash(bsn);
    const b = new BsnHasher([{ id: 'k2', secret: secret(2) }], 'k2').hash(bsn);
    expect(a.hash).not.toBe(b.hash);
    expect(a.hash).not.toContain('999990019');
  });

  it('after rotation, a hash made with the old key still matches and new hashes use the new key', () => {
    const before = new BsnHasher([{ id: 'k1', secret: secret(1) }], 'k1');
    const stored = before.hash(bsn);
    const after = new BsnHasher(
      [
        { id: 'k1', secret: secret(1) },
        { id: 'k2', secret: secret(2) },
      ],
      'k2',
    );
    expect(after.matches(bsn, stored)).toBe(true);
    expect(after.hash(bsn).keyId).toBe('k2');
    expect(after.matches(Bsn.parse('999990032')!, stored)).toBe(false);
  });

  it('a hash under a key that is no longer configured does not match', () => {
    const stored = new BsnHasher([{ id: 'k0', secret: secret(9) }], 'k0').hash(bsn);
    const hasher = new BsnHasher([{ id: 'k1', secret: secret(1) }], 'k1');
    expect(hasher.matches(bsn, stored)).toBe(false);
  });
});

describe('BSN hash key configuration', () => {
  const base = { BSN_HASH_ACTIVE_KEY_ID: 'k2', DVMG_MODE: 'simulator', BVBSN_MODE: 'simulator' };
  const keys = JSON.stringify([
    { id: 'k1', secret: secret(1).toString('base64') },
    { id: 'k2', secret: secret(2).toString('base64') },
  ]);

  it('reads the key ring and the active key id', () => {
    const ring = bsnHashKeys(loadIdentityValidationConfig({ ...base, BSN_HASH_KEYS: keys }));
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.keys.map((k) => k.id)).toEqual(['k1', 'k2']);
  });

  it('errors name the setting and key id, never the secret', () => {
    const weak = Buffer.from('short-secret-value').toString('base64');
    let caught: unknown;
    try {
      bsnHashKeys(
        loadIdentityValidationConfig({
          ...base,
          BSN_HASH_KEYS: JSON.stringify([{ id: 'k2', secret: weak }]),
        }),
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BsnKeyConfigError);
    expect((caught as Error).message).toContain('k2');
    expect((caught as Error).message).not.toContain(weak);
    expect((caught as Error).message).not.toContain('short-secret');
  });

  it('refuses an active key id that names no key, and malformed JSON without echoing it', () => {
    expect(() =>
      bsnHashKeys(
        loadIdentityValidationConfig({ ...base, BSN_HASH_ACTIVE_KEY_ID: 'k9', BSN_HASH_KEYS: keys }),
      ),
    ).toThrow(/BSN_HASH_ACTIVE_KEY_ID/);
    expect(() => loadIdentityValidationConfig({ ...base, BSN_HASH_KEYS: '{not json secret123' })).toThrow(
      /BSN_HASH_KEYS/,
    );
    expect(() => loadIdentityValidationConfig({ ...base, BSN_HASH_KEYS: '{not json secret123' })).not.toThrow(
      /secret123/,
    );
  });

  it('real mode without endpoints and TLS files does not start', () => {
    expect(() =>
      loadIdentityValidationConfig({ ...base, BSN_HASH_KEYS: keys, BVBSN_MODE: 'real', DVMG_MODE: 'real' }),
    ).toThrow(/BVBSN_BASE_URL.*|DVMG_BASE_URL/);
  });
});
