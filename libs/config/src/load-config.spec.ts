import { z } from 'zod';
import { ConfigError, env, loadConfig } from './index';

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
