import { ConfigError } from '@divit/config';
import { loadConsentConfig } from './consent.config';

describe('consent configuration in production', () => {
  it('DIVIT_ENVIRONMENT=production refuses the development key-encryption key (CONSENT_KEY_ENCRYPTION_KEY unset)', () => {
    let caught: unknown;
    try {
      loadConsentConfig({
        DIVIT_ENVIRONMENT: 'production',
        AUTH_ISSUER: 'https://idp.example.org',
        AUTH_OIDC_DISCOVERY: 'true',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.map((p) => p.key)).toEqual(['CONSENT_KEY_ENCRYPTION_KEY']);
  });

  it('accepts production with a key, and development without one', () => {
    const key = Buffer.alloc(32, 3).toString('base64');
    expect(
      loadConsentConfig({
        DIVIT_ENVIRONMENT: 'production',
        AUTH_ISSUER: 'https://idp.example.org',
        AUTH_OIDC_DISCOVERY: 'true',
        CONSENT_KEY_ENCRYPTION_KEY: key,
      }).CONSENT_KEY_ENCRYPTION_KEY,
    ).toBe(key);
    expect(loadConsentConfig({}).CONSENT_KEY_ENCRYPTION_KEY).toBeUndefined();
  });
});
