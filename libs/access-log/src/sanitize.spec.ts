import {
  changedFieldNames,
  sanitizeChangedValues,
  sanitizeFieldNames,
  sanitizeRoles,
  sanitizeText,
} from './sanitize';

describe('access-log sanitising', () => {
  it('never keeps a BSN-like run of 8 or 9 digits, with or without separators around it', () => {
    expect(sanitizeText('user 999999990 logged', 200)).toBe('user [redacted] logged');
    expect(sanitizeText('bsn:12345678', 200)).toBe('bsn:[redacted]');
    expect(sanitizeText('999999990', 200)).toBe('[redacted]');
  });

  it('keeps uuids, versions and longer numbers as they are', () => {
    const uuid = '3f2b8c1e-1234-4abc-9def-0123456789ab';
    expect(sanitizeText(uuid, 200)).toBe(uuid);
    // A uuid whose last group holds an 8-digit run (seen as a BSN before the fix) stays whole.
    const digits = 'c28819bc-f6fa-4929-884b-cccb91883839';
    expect(sanitizeText(digits, 200)).toBe(digits);
    expect(sanitizeText(`reg/${digits}/x 999999990`, 200)).toBe(`reg/${digits}/x [redacted]`);
    expect(sanitizeText('Mozilla/5.0 Chrome/120.0.6099.109', 300)).toBe('Mozilla/5.0 Chrome/120.0.6099.109');
    expect(sanitizeText('1234567890123', 200)).toBe('1234567890123');
  });

  it('strips control characters, trims, bounds the length and maps empty to null', () => {
    expect(sanitizeText('a\u0000b\nc', 200)).toBe('a b c');
    expect(sanitizeText('x'.repeat(500), 300)).toHaveLength(300);
    expect(sanitizeText('   ', 10)).toBeNull();
    expect(sanitizeText(undefined, 10)).toBeNull();
    expect(sanitizeText(null, 10)).toBeNull();
  });

  it('accepts field names only (identifiers), deduplicated and sorted', () => {
    expect(sanitizeFieldNames(['surname', 'email', 'surname', 'household[0].birthDate'])).toEqual([
      'email',
      'household[0].birthDate',
      'surname',
    ]);
    expect(sanitizeFieldNames(undefined)).toEqual([]);
  });

  it('refuses anything that looks like a value instead of a field name', () => {
    expect(() => sanitizeFieldNames(['surname=De Vries'])).toThrow(/identifiers/);
    expect(() => sanitizeFieldNames(['a b'])).toThrow(/identifiers/);
    expect(() => sanitizeFieldNames(Array.from({ length: 101 }, (_, i) => `f${i}`))).toThrow(/at most 100/);
  });

  it('names the changed top-level fields of two objects and nothing else', () => {
    expect(
      changedFieldNames(
        { surname: 'A', email: 'a@x', phone: null, household: [1] },
        { surname: 'B', email: 'a@x', household: [1, 2], postcode: '1234AB' },
      ),
    ).toEqual(['household', 'phone', 'postcode', 'surname']);
    expect(changedFieldNames(null, null)).toEqual([]);
  });

  it('keeps roles as an array of bounded strings', () => {
    expect(sanitizeRoles(['auditor', 'admin'])).toEqual(['auditor', 'admin']);
    expect(sanitizeRoles(undefined)).toEqual([]);
    expect(sanitizeRoles(Array.from({ length: 30 }, (_, i) => `r${i}`))).toHaveLength(20);
  });
});

describe('sanitizeChangedValues (issue 16 item 10)', () => {
  it('keeps scalar before/after values of changed fields, bounded and BSN-redacted', () => {
    expect(
      sanitizeChangedValues(
        {
          status: { from: 'ACTIVE', to: 'DEREGISTERED' },
          retentionDays: { from: 730, to: 0 },
          note: { from: null, to: `case 123456782 ${'x'.repeat(200)}` },
        },
        ['note', 'retentionDays', 'status'],
      ),
    ).toEqual({
      status: { from: 'ACTIVE', to: 'DEREGISTERED' },
      retentionDays: { from: 730, to: 0 },
      note: { from: null, to: `case [redacted] ${'x'.repeat(200)}`.slice(0, 100) },
    });
    expect(sanitizeChangedValues(undefined, ['status'])).toEqual({});
  });

  it('refuses a value for a field that did not change, and a nested value', () => {
    expect(() => sanitizeChangedValues({ surname: { from: 'a', to: 'b' } }, ['status'])).toThrow(
      /not a changed field/,
    );
    expect(() =>
      sanitizeChangedValues({ status: { from: 'A', to: { nested: 'x' } as unknown as string } }, ['status']),
    ).toThrow(/string, number, boolean or null/);
  });
});
