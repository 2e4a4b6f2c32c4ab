import { z } from 'zod';
import { loadConfig, platformConfigShape } from './index';

describe('platformConfigShape', () => {
  const schema = z.object(platformConfigShape);

  it('binds to loopback and has bounded body, rate and pool defaults', () => {
    expect(loadConfig(schema, {})).toMatchObject({
      HTTP_HOST: '127.0.0.1',
      HTTP_BODY_LIMIT_BYTES: 1024 * 1024,
      HTTP_TRUST_PROXY_HOPS: 0,
      RATE_LIMIT_ENABLED: true,
      RATE_LIMIT_PER_MINUTE: 1200,
      RATE_LIMIT_BURST: 600,
      DB_POOL_SIZE: 10,
      DB_POOL_ACQUIRE_TIMEOUT_MS: 5000,
      DB_IDLE_IN_TX_TIMEOUT_MS: 60_000,
      DB_STATEMENT_TIMEOUT_MS: 60_000,
      HEALTH_DB_TIMEOUT_MS: 2000,
    });
  });

  it('takes the container settings and a switched-off rate limit', () => {
    const config = loadConfig(schema, {
      HTTP_HOST: '0.0.0.0',
      RATE_LIMIT_ENABLED: 'false',
      DB_STATEMENT_TIMEOUT_MS: '0',
    });
    expect(config.HTTP_HOST).toBe('0.0.0.0');
    expect(config.RATE_LIMIT_ENABLED).toBe(false);
    expect(config.DB_STATEMENT_TIMEOUT_MS).toBe(0);
  });
});
