import { ConfigError } from '@divit/config';
import { loadIdentityValidationConfig } from './identity-validation.config';

const keys = JSON.stringify([{ id: 'k1', secret: Buffer.alloc(32, 1).toString('base64') }]);
const base = { BSN_HASH_KEYS: keys, BSN_HASH_ACTIVE_KEY_ID: 'k1' };
const real = {
  DVMG_MODE: 'real',
  DVMG_BASE_URL: 'https://dvmg.example.org',
  DVMG_TLS_CERT_FILE: '/run/secrets/dvmg/tls.crt',
  DVMG_TLS_KEY_FILE: '/run/secrets/dvmg/tls.key',
  DVMG_TLS_CA_FILE: '/run/secrets/dvmg/ca.crt',
  DVMG_PUBLIC_KEY_FILE: '/run/secrets/dvmg/mijnoverheid.pem',
  BVBSN_MODE: 'real',
  BVBSN_BASE_URL: 'https://bvbsn.example.org',
  BVBSN_TLS_CERT_FILE: '/run/secrets/bvbsn/tls.crt',
  BVBSN_TLS_KEY_FILE: '/run/secrets/bvbsn/tls.key',
  BVBSN_TLS_CA_FILE: '/run/secrets/bvbsn/ca.crt',
};
const production = {
  DIVIT_ENVIRONMENT: 'production',
  AUTH_ISSUER: 'https://idp.example.org',
  AUTH_OIDC_DISCOVERY: 'true',
};
const token = 'T'.repeat(40);

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadIdentityValidationConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('identity-validation configuration: simulators', () => {
  it('defaults to the real adapters: a bare configuration asks for their endpoints, not for a simulator', () => {
    const error = refusal(base);
    expect(error.problems.map((p) => p.key)).toEqual(
      expect.arrayContaining(['DVMG_BASE_URL', 'BVBSN_BASE_URL', 'DVMG_PUBLIC_KEY']),
    );
  });

  it('production refuses DVMG_MODE=simulator, BVBSN_MODE=simulator and the simulator switches by name', () => {
    const error = refusal({
      ...base,
      ...production,
      DVMG_MODE: 'simulator',
      BVBSN_MODE: 'simulator',
      SIMULATOR_ENDPOINTS_ENABLED: 'true',
      SIMULATOR_TOKEN: token,
    });
    expect(error.problems.map((p) => p.key).sort()).toEqual([
      'BVBSN_MODE',
      'DVMG_MODE',
      'SIMULATOR_ENDPOINTS_ENABLED',
      'SIMULATOR_TOKEN',
    ]);
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(Buffer.alloc(32, 1).toString('base64'));
  });

  it('production with the real adapters starts', () => {
    expect(loadIdentityValidationConfig({ ...base, ...production, ...real }).DVMG_MODE).toBe('real');
  });

  it('the simulator endpoints need a simulator mode and a token of at least 32 characters', () => {
    expect(
      refusal({ ...base, ...real, SIMULATOR_ENDPOINTS_ENABLED: 'true', SIMULATOR_TOKEN: token }).problems,
    ).toEqual([expect.objectContaining({ key: 'SIMULATOR_ENDPOINTS_ENABLED' })]);
    const simulators = { ...base, DVMG_MODE: 'simulator', BVBSN_MODE: 'simulator' };
    expect(refusal({ ...simulators, SIMULATOR_ENDPOINTS_ENABLED: 'true' }).problems).toEqual([
      expect.objectContaining({
        key: 'SIMULATOR_TOKEN',
        reason: 'required when SIMULATOR_ENDPOINTS_ENABLED=true',
      }),
    ]);
    expect(
      refusal({ ...simulators, SIMULATOR_ENDPOINTS_ENABLED: 'true', SIMULATOR_TOKEN: 'short' }).problems,
    ).toEqual([expect.objectContaining({ key: 'SIMULATOR_TOKEN' })]);
    const config = loadIdentityValidationConfig(simulators);
    expect(config.SIMULATOR_ENDPOINTS_ENABLED).toBe(false);
  });
});
