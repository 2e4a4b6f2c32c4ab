import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * Issue 13, item 1: at about ten concurrent requests the service deadlocked for good (each transaction waited
 * for a second connection from the same ten-connection pool). 50 simultaneous requests, reads and writes, as a
 * coordinating organisation (whose scope is read from the database), against the default pool size: every one
 * answers, none with a 5xx.
 */
describe('registration: 50 simultaneous requests at the default pool size', () => {
  const t = new RegistrationTestApp();
  const REQUEST_TIMEOUT_MS = 20_000;
  let allocator = '';
  let member = '';
  const existing: string[] = [];

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
    const operator = t.platformOperator();
    const register = async (name: string, answers: object) => {
      const res = await call('POST', '/organisations', operator, {
        name,
        answers,
        effectiveFrom: '2024-01-01',
      });
      expect(res.status).toBe(201);
      return String(res.json.organisationId);
    };
    allocator = await register(`Verdeler ${t.prefix}`, decisionAnswers.routeB);
    member = await register(`Lid ${t.prefix}`, decisionAnswers.routeA);
    const joined = await call('POST', `/organisations/${allocator}/memberships`, operator, {
      memberOrganisationId: member,
      validFrom: '2024-01-01',
    });
    expect(joined.status).toBe(201);
    const token = t.token(allocator, ['allocation-system']);
    for (let i = 0; i < 10; i++) {
      const res = await call('POST', '/registrations', token, {
        surname: 'Bestaand',
        birthDate: '1985-01-01',
      });
      expect(res.status).toBe(201);
      existing.push(String(res.json.registrationId));
    }
  }, 120_000);
  afterAll(() => t.stop());

  it('answers every request, none with a 5xx', async () => {
    const token = t.token(allocator, ['allocation-system']);
    const memberToken = t.token(member, ['allocation-system']);
    const requests = Array.from({ length: 50 }, (_, i) => {
      const id = existing[i % existing.length] as string;
      switch (i % 5) {
        case 0:
          return call('POST', '/registrations', token, { surname: `Nieuw`, birthDate: '1990-05-17' });
        case 1:
          return call('GET', `/registrations/${id}`, token);
        case 2:
          return call('PATCH', `/registrations/${id}`, token, { phone: `+31 6 1234567${i % 10}` });
        case 3:
          return call('POST', '/registrations', memberToken, { surname: 'Lid', birthDate: '1970-01-01' });
        default:
          return call('POST', '/allocations', token, {
            registrationId: id,
            dwellingReference: `VHE-${i}`,
            lettingCorporationId: member,
            monthlyRentCents: 70000,
            leaseStartDate: '2026-03-01',
            coResidents: [],
          });
      }
    });
    const settled = await Promise.allSettled(requests);
    const statuses = settled.map((s) => (s.status === 'fulfilled' ? s.value.status : 'no answer'));
    expect(statuses.filter((s) => s === 'no answer' || Number(s) >= 500)).toEqual([]);
    // Creates 201, reads and updates 200, allocations 201.
    expect(statuses.filter((s) => s === 200 || s === 201)).toHaveLength(50);
  }, 60_000);
});
