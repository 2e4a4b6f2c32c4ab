import { createHmac } from 'node:crypto';
import { findBsnShapes, passesElfproef } from './bsn-shape-scan';

describe('BSN-shape scan (BSNs not known)', () => {
  it('finds an elfproef-valid nine-digit number, plain or separated, masked', () => {
    expect(passesElfproef('999990019')).toBe(true);
    expect(passesElfproef('123456789')).toBe(false);
    for (const text of ['bsn 999990019.', '{"n":"9999 90 019"}', 'x 999.990.019 y', 'BSN999990019'])
      expect(findBsnShapes(text)).toEqual([{ kind: 'bsn-like', masked: '******019' }]);
  });

  it('ignores numbers failing the eleven-test, longer numbers, uuids, timestamps, hash values and tokens', () => {
    const hash = createHmac('sha256', 'k').update('999990019').digest('hex');
    const text = JSON.stringify({
      amount: 123456789,
      longer: '1999990019',
      id: '99999001-9999-4000-8000-999990019000',
      at: '2026-12-07T16:06:28.059Z',
      versionHash: `a${'999990019'}b${hash}`,
      token: `eyJ${'A'.repeat(30)}999990019${'b'.repeat(10)}`,
    });
    expect(findBsnShapes(text)).toEqual([]);
  });
});
