/**
 * RFC 6238 time-based one-time passwords (TOTP over RFC 4226 HOTP) with node:crypto, for the demonstration and the
 * tests that log in as staff users of the local realm (docs/adr/0034). Keycloak's OTP credential keeps the secret as
 * a string and uses its UTF-8 bytes as the HMAC key (an authenticator app gets them base32-encoded); the realm's
 * policy is HmacSHA1, 6 digits, 30 seconds (deploy/keycloak/divit-realm.json).
 */
import { createHmac } from 'node:crypto';

export interface TotpOptions {
  /** Default `sha1` (Keycloak's `HmacSHA1`); `sha256` and `sha512` as in RFC 6238. */
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  /** Default 6. */
  digits?: number;
  /** Seconds per step, default 30. */
  period?: number;
  /** Unix time in seconds, default now. */
  time?: number;
}

/** The RFC 4226 HOTP value of `counter` under `key`, `digits` long (leading zeros kept). */
export function hotp(
  key: Buffer,
  counter: number,
  digits = 6,
  algorithm: TotpOptions['algorithm'] = 'sha1',
): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 TOTP code of `key` (raw bytes, or a string whose UTF-8 bytes are the key, as Keycloak keeps it). */
export function totp(key: Buffer | string, options: TotpOptions = {}): string {
  const period = options.period ?? 30;
  const time = options.time ?? Math.floor(Date.now() / 1000);
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return hotp(bytes, Math.floor(time / period), options.digits ?? 6, options.algorithm ?? 'sha1');
}
