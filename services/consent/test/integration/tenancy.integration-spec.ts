import { randomUUID } from 'node:crypto';
import { RegistrationCreatedEvent } from '@divit/contracts';
import { ConsentTestApp, eventually } from './support';

/**
 * Issue 13, item 4 (the cross-tenant consent race), two tenants: consent accepted showings for registrations it had
 * not yet learned of, so tenant 2 could show its own text for tenant 1's brand-new registration and obtain a grant
 * (and so the BSN check and the validated name). A showing now needs the registration to be known, and to be the
 * text's organisation's.
 */
describe('consent: tenancy — showings only for known registrations of the text’s organisation (two tenants)', () => {
  const t = new ConsentTestApp();
  let tenant1 = '';
  let tenant2 = '';
  let text2 = { id: '', versionHash: '' };

  beforeAll(async () => {
    await t.start();
    tenant1 = await t.organisationWithRouteA('Woonstichting Een');
    tenant2 = await t.organisationWithRouteA('Woonstichting Twee');
    text2 = await t.publishedText(tenant2);
  });
  afterAll(() => t.stop());

  const showing = (registrationId: string) =>
    t.call('POST', '/showings', t.system(tenant2), {
      textId: text2.id,
      registrationId,
      subjectRole: 'HOME_SEEKER',
      channel: 'WEB',
    });

  it('refuses a showing for a registration consent has not learned of (409 REGISTRATION_UNKNOWN), no row written', async () => {
    // Tenant 1's brand-new registration: registration has it, consent has not seen RegistrationCreated yet.
    const brandNew = randomUUID();
    const before = await t.count('consent_showings');
    const r = await showing(brandNew);
    expect(r).toMatchObject({ status: 409, json: { code: 'REGISTRATION_UNKNOWN' } });
    expect(r.type).toContain('application/problem+json');
    expect(await t.count('consent_showings')).toBe(before);
    expect(await t.count('consents')).toBe(0);

    // Once registration's event arrives, it is tenant 1's: tenant 2 gets 404, as for any registration not its own.
    await t.publish(RegistrationCreatedEvent, [
      {
        key: brandNew,
        value: {
          registrationId: brandNew,
          organisationId: tenant1,
          registrationDate: '2026-01-01',
          origin: 'API',
          occurredAt: Date.now(),
        },
      },
    ]);
    await eventually(() => t.query('SELECT 1 FROM registrations WHERE id = $1', [brandNew]), {
      description:
        "t.query('SELECT 1 FROM registrations WHERE id = $1', [brandNew]) to satisfy (rows) => rows.length === 1",
      until: (rows) => rows.length === 1,
    });
    expect(await showing(brandNew)).toMatchObject({ status: 404, json: { code: 'REGISTRATION_NOT_FOUND' } });
    expect(await t.count('consent_showings')).toBe(before);
  });

  it("accepts a showing of the tenant's own registration once consent knows it", async () => {
    const own = await t.knownRegistration(tenant2);
    const r = await showing(own);
    expect(r.status).toBe(201);
    const answered = await t.call('POST', '/consents', t.system(tenant2), {
      showingId: String(r.json.showingId),
      answer: 'GRANTED',
    });
    expect(answered).toMatchObject({ status: 201, json: { organisationId: tenant2, registrationId: own } });
  });

  it("keeps the service-wide signing-key rotation to the platform operator: an organisation's admin is refused", async () => {
    const before = await t.count('signing_keys');
    const byAdmin = await t.call('POST', '/signing-keys/rotation', t.admin(tenant1));
    expect(byAdmin).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    expect(await t.count('signing_keys')).toBe(before);
    const byOperator = await t.call('POST', '/signing-keys/rotation', t.platformOperator());
    expect(byOperator.status).toBe(201);
  });
});
