import fc from 'fast-check';
import { Bsn, isValidBsnForm } from './bsn';

describe('BSN form check (elfproef)', () => {
  it.each(['999990019', '999990032', '111222333', '123456782'])('accepts %s', (bsn) => {
    expect(isValidBsnForm(bsn)).toBe(true);
  });

  it.each([
    ['999990010', 'wrong check digit'],
    ['12345678', 'eight digits'],
    ['1234567890', 'ten digits'],
    ['12345678a', 'a letter'],
    ['123 456 782', 'separators'],
    ['000000000', 'all zeros'],
  ])('refuses %s (%s)', (bsn) => {
    expect(isValidBsnForm(bsn)).toBe(false);
  });

  it('changing any single digit of a valid BSN breaks the eleven-test', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const digits = '999990019'.split('');
        digits[pos] = String((Number(digits[pos]) + delta) % 10);
        expect(isValidBsnForm(digits.join(''))).toBe(false);
      }),
    );
  });

  it('a parsed BSN never shows its digits when serialised or interpolated', () => {
    const bsn = Bsn.parse('999990019')!;
    expect(String(bsn)).toBe('[BSN]');
    expect(JSON.stringify({ bsn })).toBe('{"bsn":"[BSN]"}');
    expect(bsn.reveal()).toBe('999990019');
    expect(Bsn.parse('999990010')).toBeNull();
    expect(Bsn.parse(999990019)).toBeNull();
  });
});
