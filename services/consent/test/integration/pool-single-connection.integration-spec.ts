import { completeElements, ConsentTestApp } from './support';

/**
 * Guard against a second pool connection inside a transaction (issue 13, item 1): with DB_POOL_SIZE=1 a query
 * that bypasses the transaction's manager waits forever for the one connection its own transaction holds.
 * Every transactional endpoint is driven once; each request must answer within seconds.
 */
describe('consent: every transactional endpoint works with a pool of one connection', () => {
  const t = new ConsentTestApp({ DB_POOL_SIZE: '1' });
  const REQUEST_TIMEOUT_MS = 8_000;
  let org = '';

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
    org = await t.organisationWithRouteA();
  }, 120_000);
  afterAll(() => t.stop());

  it('publishes a text, records a showing, grants, withdraws, refuses and rotates the signing key', async () => {
    const draft = await call('POST', '/consent-texts', t.admin(org), {
      organisationId: org,
      audience: 'HOME_SEEKER',
      purpose: 'BSN_AT_REGISTRATION',
      language: 'nl',
      elements: completeElements('BSN_AT_REGISTRATION'),
    });
    expect(draft.status).toBe(201);
    const published = await call('POST', `/consent-texts/${String(draft.json.id)}/publication`, t.admin(org));
    expect(published.status).toBe(201);
    const show = async () => {
      // Consent refuses a showing for a registration it has not learned of from registration (ADR 0014).
      const registrationId = await t.knownRegistration(org);
      const res = await call('POST', '/showings', t.system(org), {
        channel: 'WEB',
        textId: published.json.id,
        registrationId,
        subjectRole: 'HOME_SEEKER',
      });
      expect(res.status).toBe(201);
      return String(res.json.showingId);
    };
    const granted = await call('POST', '/consents', t.system(org), {
      showingId: await show(),
      answer: 'GRANTED',
    });
    expect(granted.status).toBe(201);
    const consentId = String(granted.json.consentId);
    expect((await call('POST', `/consents/${consentId}/withdrawal`, t.system(org))).status).toBe(200);
    const refused = await call('POST', '/consents', t.system(org), {
      showingId: await show(),
      answer: 'REFUSED',
    });
    expect(refused.status).toBe(201);
    expect((await call('POST', '/signing-keys/rotation', t.platformOperator())).status).toBe(201);
  }, 60_000);
});
