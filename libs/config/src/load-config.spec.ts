import { z } from 'zod';
import { ConfigError, env, loadConfig, platformConfigShape } from './index';

const schema = z.object({
  PORT: env.port(3000),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  BSN_HASH_KEY: env.secret(),
  MODE: z.enum(['simulator', 'real']).default('simulator'),
});

describe('loadConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, { BSN_HASH_KEY: 's3cret', KAFKA_BROKERS: 'a:1, b:2' });
    expect(config).toEqual({
      PORT: 3000,
      KAFKA_BROKERS: ['a:1', 'b:2'],
      BSN_HASH_KEY: 's3cret',
      MODE: 'simulator',
    });
  });

  it('names every bad key and never echoes values', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { PORT: 'not-a-port-super-secret', MODE: 'hunter2' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems.map((p) => p.key).sort()).toEqual(['BSN_HASH_KEY', 'MODE', 'PORT']);
    expect(error.message).toContain('BSN_HASH_KEY (required)');
    expect(error.message).not.toContain('super-secret');
    expect(error.message).not.toContain('hunter2');
  });

  it('treats empty strings as absent so defaults apply', () => {
    expect(loadConfig(schema, { PORT: '', BSN_HASH_KEY: 'k' }).PORT).toBe(3000);
  });
});

describe('loadConfig in production mode (DIVIT_ENVIRONMENT=production)', () => {
  const service = z.object({
    ...platformConfigShape,
    DVMG_MODE: z.enum(['simulator', 'real']).default('real'),
    BVBSN_MODE: z.enum(['simulator', 'real']).default('real'),
    DVMG_SIMULATOR_PRIVATE_KEY_FILE: z.string().optional(),
    SOME_SECRET: z.string().optional(),
  });
  const production = {
    DIVIT_ENVIRONMENT: 'production',
    AUTH_ISSUER: 'https://idp.example.org',
    AUTH_OIDC_DISCOVERY: 'true',
  };

  const problemsOf = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(service, env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses every simulator mode and simulator-only setting, naming the keys without their values', () => {
    const error = problemsOf({
      ...production,
      DVMG_MODE: 'simulator',
      BVBSN_MODE: 'simulator',
      DVMG_SIMULATOR_PRIVATE_KEY_FILE: '/secret/path/key-material.pem',
      SOME_SECRET: 'hunter2-value',
    });
    expect(error.problems.map((p) => p.key).sort()).toEqual([
      'BVBSN_MODE',
      'DVMG_MODE',
      'DVMG_SIMULATOR_PRIVATE_KEY_FILE',
    ]);
    expect(error.message).toContain('refused when DIVIT_ENVIRONMENT=production');
    expect(error.message).not.toContain('key-material');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses schema auto-registration and the local development token issuer', () => {
    const error = problemsOf({ DIVIT_ENVIRONMENT: 'production', SCHEMA_AUTO_REGISTER: 'true' });
    expect(error.problems.map((p) => p.key).sort()).toEqual([
      'AUTH_ISSUER',
      'AUTH_JWKS_URL',
      'SCHEMA_AUTO_REGISTER',
    ]);
    expect(error.message).toContain('a source of the identity provider');
  });

  it("requires an https source of the identity provider's keys", () => {
    const issuer = { DIVIT_ENVIRONMENT: 'production', AUTH_ISSUER: 'https://idp.example.org' };
    expect(problemsOf(issuer).problems.map((p) => p.key)).toEqual(['AUTH_JWKS_URL']);
    expect(
      problemsOf({ ...issuer, AUTH_JWKS_URL: 'http://idp.example.org/keys' }).problems.map((p) => p.key),
    ).toEqual(['AUTH_JWKS_URL']);
    expect(
      problemsOf({
        ...issuer,
        AUTH_ISSUER: 'http://idp.example.org',
        AUTH_OIDC_DISCOVERY: 'true',
      }).problems.map((p) => p.key),
    ).toEqual(['AUTH_ISSUER']);
    for (const source of [
      { AUTH_JWKS_URL: 'https://idp.example.org/keys' },
      { AUTH_OIDC_DISCOVERY: 'true' },
      { AUTH_JWKS_FILE: '/run/secrets/jwks.json' },
      { AUTH_JWKS: '{"keys":[]}' },
    ])
      expect(loadConfig(service, { ...issuer, ...source }).AUTH_ISSUER).toBe('https://idp.example.org');
  });

  it('accepts real adapters in production, and simulators in development and staging', () => {
    expect(loadConfig(service, production).DVMG_MODE).toBe('real');
    for (const DIVIT_ENVIRONMENT of ['development', 'staging'])
      expect(
        loadConfig(service, { DIVIT_ENVIRONMENT, DVMG_MODE: 'simulator', SCHEMA_AUTO_REGISTER: 'true' })
          .DVMG_MODE,
      ).toBe('simulator');
  });

  it('defaults to development for plain local processes', () => {
    expect(loadConfig(service, {}).DIVIT_ENVIRONMENT).toBe('development');
  });
});

describe('authentication settings', () => {
  const platform = z.object(platformConfigShape);

  it('default to every allowed algorithm, a 30 s clock tolerance and the JWKS cache timings', () => {
    expect(loadConfig(platform, {})).toMatchObject({
      AUTH_ALGORITHMS: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      AUTH_CLOCK_TOLERANCE_SEC: 30,
      AUTH_REQUIRED_CLAIMS: [],
      AUTH_OIDC_DISCOVERY: false,
      AUTH_JWKS_CACHE_MAX_AGE_SEC: 600,
      AUTH_JWKS_COOLDOWN_SEC: 30,
      AUTH_JWKS_TIMEOUT_MS: 5000,
    });
  });

  it('refuse none, HS* and other algorithms, a tolerance over 5 minutes and a key URL that is not http(s)', () => {
    let caught: unknown;
    try {
      loadConfig(platform, {
        AUTH_ALGORITHMS: 'EdDSA,none,HS256',
        AUTH_CLOCK_TOLERANCE_SEC: '301',
        AUTH_JWKS_URL: 'file:///etc/jwks.json',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.map((p) => p.key).sort()).toEqual([
      'AUTH_ALGORITHMS.1',
      'AUTH_ALGORITHMS.2',
      'AUTH_CLOCK_TOLERANCE_SEC',
      'AUTH_JWKS_URL',
    ]);
  });

  it('refuse two key sources in any mode', () => {
    expect(() =>
      loadConfig(platform, {
        AUTH_JWKS_FILE: '/tmp/jwks.json',
        AUTH_JWKS_URL: 'https://idp.example.org/keys',
      }),
    ).toThrow('AUTH_JWKS_FILE+AUTH_JWKS_URL (name exactly one source');
    expect(loadConfig(platform, { AUTH_JWKS_FILE: '/tmp/jwks.json' }).AUTH_JWKS_FILE).toBe('/tmp/jwks.json');
  });
});
