import { randomUUID } from 'node:crypto';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * Guard against a second pool connection inside a transaction (issue 13, item 1): with DB_POOL_SIZE=1 a query
 * that bypasses the transaction's manager waits forever for the one connection its own transaction holds.
 * Every transactional endpoint is driven once; each request must answer (any status but 5xx) within seconds.
 */
describe('registration: every transactional endpoint works with a pool of one connection', () => {
  const t = new RegistrationTestApp(undefined, undefined, { DB_POOL_SIZE: '1' });
  const REQUEST_TIMEOUT_MS = 8_000;
  let operator = '';
  let allocator = '';
  let member = '';

  async function call(method: string, path: string, token: string, body?: unknown) {
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
    operator = t.platformOperator();
  }, 120_000);
  afterAll(() => t.stop());

  it('organisations: register, change route, memberships, housing stock', async () => {
    const register = async (name: string, answers: object) => {
      const res = await call('POST', '/organisations', operator, {
        name,
        answers,
        effectiveFrom: '2024-01-01',
      });
      expect(res.status).toBe(201);
      return String(res.json.organisationId);
    };
    await register(`Corporatie ${t.prefix}`, decisionAnswers.routeA);
    allocator = await register(`Verdeler ${t.prefix}`, decisionAnswers.routeB);
    member = await register(`Lid ${t.prefix}`, decisionAnswers.routeA);
    const joined = await call('POST', `/organisations/${allocator}/memberships`, operator, {
      memberOrganisationId: member,
      validFrom: '2024-01-01',
    });
    expect(joined.status).toBe(201);
    // Route C from 2025 with the member as primus inter pares (the coordinator checks run inside the transaction).
    const routeChange = await call('POST', `/organisations/${allocator}/route-changes`, operator, {
      route: 'C',
      coordinatorOrganisationId: member,
      effectiveFrom: '2025-01-01',
    });
    expect(routeChange.status).toBe(201);
    const stock = await call('POST', `/organisations/${allocator}/housing-stock`, operator, {
      memberOrganisationId: member,
      dwellings: 1200,
      effectiveFrom: '2024-06-01',
    });
    expect(stock.status).toBe(201);
    const other = await register(`Ander lid ${t.prefix}`, decisionAnswers.routeA);
    const temp = await call('POST', `/organisations/${allocator}/memberships`, operator, {
      memberOrganisationId: other,
      validFrom: '2024-01-01',
    });
    const ended = await call(
      'POST',
      `/organisations/${allocator}/memberships/${String(temp.json.membershipId ?? temp.json.id)}/end`,
      operator,
      { validTo: '2024-12-31' },
    );
    expect(ended.status).toBe(200);
  });

  it('registrations and allocations, as a coordinating organisation (the scope queries run inside the transaction)', async () => {
    const token = t.token(allocator, ['allocation-system']);
    const created = await call('POST', '/registrations', token, {
      surname: 'Jansen',
      birthDate: '1990-05-17',
      registrationDate: '2024-03-14',
    });
    expect(created.status).toBe(201);
    const id = String(created.json.registrationId);
    expect((await call('GET', `/registrations/${id}`, token)).status).toBe(200);
    expect((await call('PATCH', `/registrations/${id}`, token, { surname: 'Jansen-Bakker' })).status).toBe(
      200,
    );
    const allocation = await call('POST', '/allocations', token, {
      registrationId: id,
      dwellingReference: 'VHE-1',
      lettingCorporationId: member,
      monthlyRentCents: 70000,
      leaseStartDate: '2026-03-01',
      coResidents: [],
    });
    expect(allocation.status).toBe(201);
    const allocationId = String(allocation.json.allocationId);
    expect((await call('GET', `/allocations/${allocationId}`, token)).status).toBe(200);
    expect(
      (await call('POST', `/allocations/${allocationId}/closure`, token, { outcome: 'LEASE_SIGNED' })).status,
    ).toBe(200);
    expect((await call('POST', `/registrations/${id}/deregister`, token)).status).toBe(200);
    expect((await call('GET', `/registrations/${randomUUID()}`, token)).status).toBe(404);
  });
});
