/**
 * Free text that reaches the access log (subjects, user agents, resource ids) is bounded, stripped of control
 * characters, and never holds a BSN: any run of 8 or 9 digits (a BSN, with or without its leading zero) not part
 * of a longer number is replaced by `[redacted]`. Uuids stay whole (a uuid's groups may hold such a run), and
 * versions and longer numbers keep their digits.
 */
const UUID_OR_BSN_LIKE =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9])[0-9]{8,9}(?![0-9])/gi;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function sanitizeText(value: string | null | undefined, maxLength: number): string | null {
  if (value === null || value === undefined) return null;
  const clean = value
    .replace(CONTROL, ' ')
    .replace(UUID_OR_BSN_LIKE, (m) => (m.length === 36 ? m : '[redacted]'))
    .trim();
  if (clean.length === 0) return null;
  return clean.length > maxLength ? clean.slice(0, maxLength) : clean;
}

/** Field names only: bounded identifiers (letters, digits, `_`, `.`, `-`), at most 100, deduplicated, sorted. */
export function sanitizeFieldNames(names: readonly string[] | undefined): string[] {
  if (!names) return [];
  const out = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const clean = sanitizeText(name, 100);
    if (!clean || !/^[A-Za-z0-9_.[\]-]+$/.test(clean)) {
      throw new Error(`changed field names must be identifiers, got ${JSON.stringify(name.slice(0, 40))}`);
    }
    out.add(clean);
  }
  if (out.size > 100) throw new Error('at most 100 changed field names per entry');
  return [...out].sort();
}

type Scalar = string | number | boolean | null;

/**
 * Non-personal before/after values for the access log: only for fields named in `changedFields`, scalars only
 * (a nested object could hide anything), strings bounded to 100 characters and BSN-redacted like all free text.
 * A key that is not a changed field, or a value that is not a scalar, is a programming error and throws.
 */
export function sanitizeChangedValues(
  values: Readonly<Record<string, { from: Scalar; to: Scalar }>> | undefined,
  changedFields: readonly string[],
): Record<string, { from: Scalar; to: Scalar }> {
  const out: Record<string, { from: Scalar; to: Scalar }> = {};
  if (!values) return out;
  const scalar = (v: unknown, key: string): Scalar => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') return sanitizeText(v, 100) ?? '';
    throw new Error(`changed value of ${key} must be a string, number, boolean or null`);
  };
  for (const [key, change] of Object.entries(values)) {
    if (!changedFields.includes(key))
      throw new Error(`changed value for ${JSON.stringify(key.slice(0, 40))}, which is not a changed field`);
    out[key] = { from: scalar(change?.from, key), to: scalar(change?.to, key) };
  }
  return out;
}

/**
 * The names of the top-level fields whose values differ between two plain objects (for `changedFields`): only
 * names leave this function.
 */
export function changedFieldNames(
  before: object | null | undefined,
  after: object | null | undefined,
): string[] {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** Roles as an array of bounded strings (never joined into one string). */
export function sanitizeRoles(roles: readonly string[] | undefined): string[] {
  return (roles ?? [])
    .filter((r): r is string => typeof r === 'string')
    .map((r) => sanitizeText(r, 40))
    .filter((r): r is string => r !== null)
    .slice(0, 20);
}
