import { createHash } from 'node:crypto';

/**
 * Canonical JSON (in the spirit of RFC 8785 for the values used here): object keys sorted by UTF-16 code
 * units, no whitespace, strings NFC-normalised and escaped as JSON.stringify does, arrays in their order,
 * `undefined` members dropped. Numbers must be safe integers (texts contain none other).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.normalize('NFC'));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('canonical JSON supports safe integers only');
    return String(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k.normalize('NFC'))}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonical JSON cannot encode a ${typeof value}`);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What a published consent text version's hash covers. */
export interface HashedTextContent {
  organisationId: string;
  audience: string;
  purpose: string;
  language: string;
  version: number;
  elements: unknown;
}

/** The version hash: SHA-256 (hex) over the canonical JSON of the text's identity, version and elements. */
export function textVersionHash(content: HashedTextContent): string {
  return sha256Hex(
    canonicalJson({
      organisationId: content.organisationId,
      audience: content.audience,
      purpose: content.purpose,
      language: content.language,
      version: content.version,
      elements: content.elements,
    }),
  );
}
