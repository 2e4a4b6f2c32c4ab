import fc from 'fast-check';
import { indexCents, parseFactorMicros } from './money';

describe('indexCents: round half away from zero to the cent', () => {
  it.each([
    [1000, '1.0005', 1001], // 1000.5 → 1001 (half up)
    [1000, '1.000499', 1000], // 1000.499 → 1000
    [1000, '1.000501', 1001],
    [1, '1.5', 2], // 1.5 → 2
    [3, '1.5', 5], // 4.5 → 5 (not banker's rounding)
    [-1000, '1.0005', -1001], // -1000.5 → -1001 (away from zero)
    [0, '1.2', 0],
    [3_000_000, '1.041301', 3_123_903],
  ])('%i × %s = %i', (cents, factor, expected) => {
    expect(indexCents(cents, factor)).toBe(expected);
  });

  it('parses factors with fewer than six decimals', () => {
    expect(parseFactorMicros('1.5')).toBe(1_500_000n);
    expect(parseFactorMicros('0.000001')).toBe(1n);
    expect(() => parseFactorMicros('1.0000001')).toThrow('invalid factor');
  });

  it('refuses non-integer cents', () => {
    expect(() => indexCents(10.5, '1.0')).toThrow('integer');
  });

  it('is within half a cent of the exact product (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000_00, max: 10_000_000_00 }),
        fc.integer({ min: 0, max: 3_000_000 }),
        (c, micros) => {
          const factor = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
          const exactTimes2e6 = BigInt(c) * BigInt(micros) * 2n;
          const got = BigInt(indexCents(c, factor)) * 2_000_000n;
          const diff = got > exactTimes2e6 ? got - exactTimes2e6 : exactTimes2e6 - got;
          return diff <= 1_000_000n;
        },
      ),
    );
  });
});
