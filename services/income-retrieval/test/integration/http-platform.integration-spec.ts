import { randomUUID } from 'node:crypto';
import { IncomeTestApp } from './support';

/** The shared platform HTTP layer (PlatformHttpModule + configureHttpApp) is installed in income-retrieval. */
describe('income-retrieval: platform HTTP layer (real PostgreSQL, Kafka, registry)', () => {
  const t = new IncomeTestApp();
  beforeAll(async () => {
    await t.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers the probes with the security headers and no x-powered-by', async () => {
    const live = await fetch(`${t.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { database: 'ok', migrations: 'ok', messaging: 'ok' },
    });
    expect(ready.headers.get('x-powered-by')).toBeNull();
    expect(ready.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a 2 MiB JSON body with 413 problem+json and a NUL in a body string with 400', async () => {
    const path = `/allocations/${randomUUID()}/pension-age`;
    const big = await t.raw('PUT', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.type).toContain('application/problem+json');
    const nul = await t.raw('PUT', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'a\u0000b' }),
    });
    expect(nul.status).toBe(400);
    expect(JSON.parse(nul.body.toString('utf8'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'text' }],
    });
  });
});
