import { randomUUID } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import { ServiceTestApp } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import { loadRegistrationConfig, RegistrationConfig } from '../../src/config/registration.config';
import { registrationDataSourceOptions } from '../../src/database/data-source';
import { decisionAnswers } from './support';

/**
 * The platform HTTP layer (configureHttpApp, PlatformHttpModule, pool settings) as a client meets it,
 * through the registration service on the real stack: issue 13 items 1 (readiness under a stuck pool),
 * 5 (413 and control characters instead of 5xx) and 10 (no echo, headers, rate limit).
 */
describe('registration: platform HTTP layer (real PostgreSQL, Kafka, registry)', () => {
  const POOL_SIZE = 3;
  const t = new ServiceTestApp<RegistrationConfig>({
    service: 'registration',
    loadConfig: (env) => loadRegistrationConfig(env),
    dataSourceOptions: registrationDataSourceOptions,
    appModule: (config) => AppModule.forRoot(config),
    env: {
      DB_POOL_SIZE: String(POOL_SIZE),
      DB_POOL_ACQUIRE_TIMEOUT_MS: '1500',
      HEALTH_DB_TIMEOUT_MS: '1000',
      RATE_LIMIT_PER_MINUTE: '60',
      RATE_LIMIT_BURST: '20',
    },
  });
  const admin = () => t.platformOperator();

  beforeAll(async () => {
    await t.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  const send = (path: string, body: string, token: string, type = 'application/json') =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${token}` },
      body,
      signal: AbortSignal.timeout(15_000),
    });

  it('answers a 2 MiB JSON body with 413 problem+json, not 500', async () => {
    const res = await send(
      '/organisations',
      JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), answers: decisionAnswers.routeA }),
      admin(),
    );
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('takes a 200 KB JSON body to validation (over the old 100 KB limit, under the 1 MiB default)', async () => {
    const res = await send(
      '/organisations',
      JSON.stringify({ name: 'x'.repeat(200 * 1024), answers: decisionAnswers.routeA }),
      admin(),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers malformed JSON holding a BSN with 400 problem+json that does not echo the number', async () => {
    // A form-encoded body sent as JSON (the parser quoted it back whole) and a truncated document.
    for (const body of ['bsn=123456782&name=Jansen', '{"name": "Corporatie", "bsn": 123456782,']) {
      const res = await send('/organisations', body, admin());
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'MALFORMED_BODY' });
      // Not even the first digits (the parser's message quoted the body's start: "bsn=123456"...).
      expect(text).not.toContain('123456');
      expect(text).not.toContain('Jansen');
    }
  });

  it('answers a NUL byte in a text field with 400 naming the field, not 5xx', async () => {
    const res = await send(
      '/organisations',
      JSON.stringify({
        name: 'Corporatie\u0000Noord',
        answers: decisionAnswers.routeA,
        effectiveFrom: '2024-01-01',
      }),
      admin(),
    );
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.field)).toEqual(['name']);
    expect(await t.count('organisations')).toBe(0);
  });

  it('sends the security headers and no x-powered-by', async () => {
    const res = await fetch(`${t.url}/organisations/${randomUUID()}`, {
      headers: { authorization: `Bearer ${admin()}` },
    });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers 429 problem+json with Retry-After once a client has spent its burst; probes stay exempt', async () => {
    const token = t.token(randomUUID(), ['admin'], 'http-platform-rate');
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push(
        (
          await fetch(`${t.url}/organisations/${randomUUID()}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
      );
    expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
    expect(statuses[20]).toBe(429);
    const refused = await fetch(`${t.url}/organisations/${randomUUID()}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    for (let i = 0; i < 25; i++) expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
  });

  it('is ready, then answers /health/ready 503 and requests 503 quickly while every pool connection is stuck in a transaction', async () => {
    const ready = await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(200);

    // Hold the app's whole pool in open transactions (what registration's deadlock did).
    const pool = t.app.get(DataSource);
    const held: QueryRunner[] = [];
    try {
      for (let i = 0; i < POOL_SIZE; i++) {
        const runner = pool.createQueryRunner();
        await runner.connect();
        await runner.startTransaction();
        await runner.query('SELECT 1');
        held.push(runner);
      }
      const started = Date.now();
      const probe = await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(8_000) });
      expect(probe.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(probe.headers.get('content-type')).toContain('application/problem+json');
      expect(await probe.json()).toMatchObject({ code: 'NOT_READY', checks: { database: 'timeout' } });
      expect((await fetch(`${t.url}/health/live`)).status).toBe(200);

      const request = await fetch(`${t.url}/organisations/${randomUUID()}`, {
        headers: { authorization: `Bearer ${admin()}` },
        signal: AbortSignal.timeout(8_000),
      });
      expect(request.status).toBe(503);
      expect(await request.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    } finally {
      for (const runner of held) {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }
    const again = await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(again.status).toBe(200);
  });
});
