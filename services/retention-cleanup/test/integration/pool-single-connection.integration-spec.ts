import { randomUUID } from 'node:crypto';
import { RetentionTestApp } from './support';

/**
 * Guard against a second pool connection inside a transaction (issue 13, item 1): with DB_POOL_SIZE=1 a query
 * that bypasses the transaction's manager waits forever for the one connection its own transaction holds.
 * Every transactional endpoint is driven once; each request must answer within seconds.
 */
describe('retention-cleanup: every transactional endpoint works with a pool of one connection', () => {
  const t = new RetentionTestApp({ DB_POOL_SIZE: '1' });
  const REQUEST_TIMEOUT_MS = 8_000;
  const org = randomUUID();
  let admin = '';
  let operator = '';

  async function call(method: string, path: string, body?: unknown, token = admin) {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  beforeAll(async () => {
    await t.start();
    // The organisation's own admin for its overrides and holds; the sweep is the platform operator's (ADR 0014).
    admin = t.token(org, ['admin']);
    operator = t.platformOperator();
  }, 120_000);
  afterAll(() => t.stop());

  it('policy override set and removed, legal hold created and lifted, sweep run', async () => {
    const path = `/policies/ACCESS_LOGS/organisations/${org}`;
    expect((await call('PUT', path, { retention: 'P2Y', reason: 'audit request' })).status).toBe(200);
    expect((await call('DELETE', path)).status).toBe(200);
    const hold = await call('POST', '/legal-holds', {
      subjectId: randomUUID(),
      reason: 'case',
      owner: 'legal',
    });
    expect(hold.status).toBe(201);
    expect(
      (await call('POST', `/legal-holds/${String(hold.json.id)}/lift`, { reason: 'closed' })).status,
    ).toBe(200);
    expect((await call('POST', '/sweeps', undefined, operator)).status).toBe(200);
  }, 60_000);
});
