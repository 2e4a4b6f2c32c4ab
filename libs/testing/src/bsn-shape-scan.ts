import { passesElevenTest } from '@divit/service-kit';
/**
 * A scan for anything that looks like a BSN when the BSNs are not known (a subject-access report, a response):
 * every run of nine digits (optionally separated by spaces, dots, dashes, underscores or slashes, as
 * {@link scanForBsnLeaks} also finds them) that is not part of a uuid or a longer number and passes the
 * eleven-test (elfproef) is reported, masked. Digits inside a hash value (32+ hex characters) or an encoded token
 * (40+ base64 characters) are not looked at: such runs are random, and a BSN in an encoding is what
 * {@link scanForBsnLeaks} finds when the BSNs are known. Whether a BSN hash value leaked is checked against the
 * stored values, not by shape (consent text version hashes are hex too).
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const NINE_DIGITS = /(?<![0-9])[0-9](?:[\s.\-_/]?[0-9]){8}(?![0-9])/g;
/** Hash values (hex, 32+ characters) and encoded tokens (base64/base64url, 40+ characters with a letter). */
const HEX_RUN = /(?<![0-9a-z])[0-9a-f]{32,}(?![0-9a-z])/gi;
const TOKEN_RUN = /(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{40,}={0,2}/g;
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g;

/** The eleven-test of a nine-digit BSN: the platform's one implementation (libs/service-kit). */
export const passesElfproef = passesElevenTest;

export interface BsnShapeHit {
  kind: 'bsn-like';
  /** Masked: the last three digits only. */
  masked: string;
}

export function findBsnShapes(text: string): BsnShapeHit[] {
  const stripped = text
    .replace(UUID, ' ')
    .replace(ISO_TIMESTAMP, ' ')
    .replace(HEX_RUN, ' ')
    .replace(TOKEN_RUN, ' ');
  const hits: BsnShapeHit[] = [];
  for (const m of stripped.matchAll(NINE_DIGITS)) {
    const digits = m[0].replace(/\D/g, '');
    if (passesElfproef(digits)) hits.push({ kind: 'bsn-like', masked: `******${digits.slice(6)}` });
  }
  return hits;
}
