import { calendarDate, hasControlCharacters, instant, plainText } from './input-bounds';

describe('calendarDate', () => {
  const date = calendarDate();
  it.each([['1900-01-01'], ['2024-02-29'], ['2199-12-31']])('accepts %s', (v) => {
    expect(date.safeParse(v).success).toBe(true);
  });
  it.each([['0000-01-01'], ['1899-12-31'], ['2200-01-01'], ['9999-12-31'], ['2026-02-30'], ['2026-1-1']])(
    'refuses %s',
    (v) => {
      expect(date.safeParse(v).success).toBe(false);
    },
  );
  it('names the range once for an out-of-range date, and only the format for a malformed one', () => {
    expect(date.safeParse('0000-01-01').error?.issues.map((i) => i.message)).toEqual([
      'must be a date from 1900-01-01 to 2199-12-31',
    ]);
    expect(date.safeParse('2026-02-30').error?.issues).toHaveLength(1);
  });
  it('narrows to per-field bounds', () => {
    const lease = calendarDate({ min: '2024-01-01', max: '2030-12-31' });
    expect(lease.safeParse('2023-12-31').success).toBe(false);
    expect(lease.safeParse('2031-01-01').success).toBe(false);
    expect(lease.safeParse('2024-01-01').success).toBe(true);
  });
});

describe('instant', () => {
  const at = instant();
  it('accepts instants with an offset within the range', () => {
    expect(at.safeParse('2026-03-01T10:00:00+01:00').success).toBe(true);
    expect(at.safeParse('1900-01-01T00:00:00Z').success).toBe(true);
  });
  it.each([['0000-01-01T00:00:00Z'], ['9999-12-31T23:59:59Z'], ['2026-03-01']])('refuses %s', (v) => {
    expect(at.safeParse(v).success).toBe(false);
  });
});

describe('plainText', () => {
  it('refuses NUL, escape and DEL; trims', () => {
    const text = plainText({ max: 20 });
    expect(text.safeParse('a\u0000b').success).toBe(false);
    expect(text.safeParse('a\u001bb').success).toBe(false);
    expect(text.safeParse('a\u007fb').success).toBe(false);
    expect(text.safeParse('a\nb').success).toBe(false);
    expect(text.parse('  Çelik-de Vries ')).toBe('Çelik-de Vries');
  });
  it('keeps line breaks and tabs in multi-line text', () => {
    const text = plainText({ max: 20, multiline: true });
    expect(text.safeParse('regel 1\n\tregel 2').success).toBe(true);
    expect(text.safeParse('regel\u0000').success).toBe(false);
  });
  it('hasControlCharacters finds a lone surrogate', () => {
    expect(hasControlCharacters('\ud800')).toBe(true);
    expect(hasControlCharacters('gewoon')).toBe(false);
  });
});
