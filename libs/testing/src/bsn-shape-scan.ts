/**
 * A scan for anything that looks like a BSN when the BSNs are not known (a subject-access report, a response):
 * every run of nine digits (optionally separated by spaces, dots, dashes, underscores or slashes, as
 * {@link scanForBsnLeaks} also finds them) that is not part of a uuid or a longer number and passes the
 * eleven-test (elfproef) is reported, masked. (A hash value is not recognisable by its shape: consent text
 * version hashes are hex too; tests compare against the stored hash values instead.)
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const NINE_DIGITS = /(?<![0-9])[0-9](?:[\s.\-_/]?[0-9]){8}(?![0-9])/g;
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g;

/** The eleven-test of a nine-digit BSN (and all zeros is none). */
export function passesElfproef(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || digits === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
  sum -= Number(digits[8]);
  return sum % 11 === 0;
}

export interface BsnShapeHit {
  kind: 'bsn-like';
  /** Masked: the last three digits only. */
  masked: string;
}

export function findBsnShapes(text: string): BsnShapeHit[] {
  const stripped = text.replace(UUID, ' ').replace(ISO_TIMESTAMP, ' ');
  const hits: BsnShapeHit[] = [];
  for (const m of stripped.matchAll(NINE_DIGITS)) {
    const digits = m[0].replace(/\D/g, '');
    if (passesElfproef(digits)) hits.push({ kind: 'bsn-like', masked: `******${digits.slice(6)}` });
  }
  return hits;
}
