import { createHmac, timingSafeEqual } from 'node:crypto';
import { BsnHashKey } from '../config/identity-validation.config';
import { Bsn } from './bsn';

/** A keyed hash of a BSN and the id of the key that made it. */
export interface BsnHash {
  keyId: string;
  /** HMAC-SHA256, hex. */
  hash: string;
}

/**
 * HMAC-SHA256 of the BSN digits with a secret key and key id. New hashes use the active key; matching
 * tries every configured key, so hashes made before a rotation keep matching while the old key is
 * configured (and can be re-hashed with the active key on a match).
 */
export class BsnHasher {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: readonly BsnHashKey[],
    readonly activeKeyId: string,
  ) {
    this.keys = new Map(keys.map((k) => [k.id, k.secret]));
    if (!this.keys.has(activeKeyId)) throw new Error('the active BSN hash key is not configured');
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  hash(bsn: Bsn): BsnHash {
    return { keyId: this.activeKeyId, hash: this.hmac(this.activeKeyId, bsn) };
  }

  /** Whether the BSN hashes to `stored` under the key that made it (which must still be configured). */
  matches(bsn: Bsn, stored: BsnHash): boolean {
    if (!this.keys.has(stored.keyId)) return false;
    const expected = Buffer.from(this.hmac(stored.keyId, bsn), 'hex');
    const actual = Buffer.from(stored.hash, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private hmac(keyId: string, bsn: Bsn): string {
    const secret = this.keys.get(keyId);
    if (!secret) throw new Error(`BSN hash key ${keyId} is not configured`);
    return createHmac('sha256', secret).update(bsn.reveal(), 'utf8').digest('hex');
  }
}
