import fc from 'fast-check';
import { canonicalJson, sha256Hex, textVersionHash } from './canonical';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops whitespace and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
  });

  it('normalises strings to NFC, so visually equal texts hash equally', () => {
    expect(canonicalJson('e\u0301')).toBe(canonicalJson('\u00e9'));
  });

  it('refuses non-integer numbers', () => {
    expect(() => canonicalJson(1.5)).toThrow(/safe integers/);
  });

  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(obj);
      }),
    );
  });
});

describe('textVersionHash', () => {
  const content = {
    organisationId: '0b9b3c1e-2f7a-4c8e-9a55-1d2b3c4d5e6f',
    audience: 'HOME_SEEKER',
    purpose: 'BSN_AT_REGISTRATION',
    language: 'nl',
    version: 1,
    elements: { reuseAtAllocation: { text: 'Hergebruik' } },
  };

  it('is SHA-256 hex over the canonical serialisation', () => {
    expect(textVersionHash(content)).toBe(
      sha256Hex(
        '{"audience":"HOME_SEEKER","elements":{"reuseAtAllocation":{"text":"Hergebruik"}},"language":"nl",' +
          '"organisationId":"0b9b3c1e-2f7a-4c8e-9a55-1d2b3c4d5e6f","purpose":"BSN_AT_REGISTRATION","version":1}',
      ),
    );
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('changes with any word of the text and with the version', () => {
    const base = textVersionHash(content);
    expect(textVersionHash({ ...content, version: 2 })).not.toBe(base);
    expect(
      textVersionHash({ ...content, elements: { reuseAtAllocation: { text: 'Hergebruik.' } } }),
    ).not.toBe(base);
    expect(textVersionHash({ ...content, language: 'en' })).not.toBe(base);
  });
});
