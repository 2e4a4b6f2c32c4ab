import { randomUUID } from 'node:crypto';
import { IncomeTestApp } from './support';

/**
 * Guard against a second pool connection inside a transaction (issue 13, item 1): with DB_POOL_SIZE=1 a query
 * that bypasses the transaction's manager waits forever for the one connection its own transaction holds.
 * Every transactional endpoint is driven once (each opens its transaction and reads in it); each request must
 * answer within seconds.
 */
describe('income-retrieval: every transactional endpoint works with a pool of one connection', () => {
  const t = new IncomeTestApp({ DB_POOL_SIZE: '1' });
  const REQUEST_TIMEOUT_MS = 8_000;
  let admin = '';
  let auditor = '';
  let operator = '';

  async function call(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await res.arrayBuffer();
    return res.status;
  }

  beforeAll(async () => {
    await t.start();
    const org = randomUUID();
    admin = t.token(org, ['admin']);
    auditor = t.token(org, ['auditor']);
    // The expiry sweep runs across every organisation: the platform operator's (ADR 0014).
    operator = t.platformOperator();
  }, 120_000);
  afterAll(() => t.stop());

  it('pension age, statement JSON and PDF, expiry sweep', async () => {
    const id = randomUUID();
    expect(await call('PUT', `/allocations/${id}/pension-age`, admin, { pensionAge: true })).toBe(404);
    expect(await call('GET', `/statements/${id}`, auditor)).toBe(404);
    expect(await call('GET', `/statements/${id}/pdf`, auditor)).toBe(404);
    expect(await call('POST', '/admin/expiry-sweeps', operator)).toBe(200);
  }, 60_000);
});
