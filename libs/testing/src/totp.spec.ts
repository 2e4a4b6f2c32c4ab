import { hotp, totp } from './totp';

/** RFC 6238 appendix B: the seeds are the ASCII strings "1234567890" repeated to the hash's key length. */
const seed = (length: number): string => '1234567890'.repeat(7).slice(0, length);

describe('TOTP (RFC 6238 with node:crypto)', () => {
  const vectors: [number, string, string, string][] = [
    // time, SHA1, SHA256, SHA512 (8 digits, 30 s)
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];

  it.each(vectors)('time %d gives the RFC test vectors', (time, sha1, sha256, sha512) => {
    expect(totp(seed(20), { time, digits: 8 })).toBe(sha1);
    expect(totp(seed(32), { time, digits: 8, algorithm: 'sha256' })).toBe(sha256);
    expect(totp(seed(64), { time, digits: 8, algorithm: 'sha512' })).toBe(sha512);
  });

  it('gives RFC 4226 appendix D HOTP values (6 digits, leading zeros kept)', () => {
    const key = Buffer.from('12345678901234567890', 'ascii');
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((c) => hotp(key, c))).toEqual([
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ]);
  });

  it('defaults to six digits, 30 s and the current time, with a string key as its UTF-8 bytes', () => {
    const time = 1234567890;
    expect(totp('12345678901234567890', { time })).toBe('005924');
    expect(totp(Buffer.from('12345678901234567890'), { time: time + 29 - (time % 30) })).toBe('005924');
    expect(totp('12345678901234567890')).toMatch(/^\d{6}$/);
  });
});
