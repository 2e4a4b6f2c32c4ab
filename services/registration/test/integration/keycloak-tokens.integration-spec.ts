import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { KEYCLOAK_ORGANISATIONS, LocalKeycloak } from '@divit/testing';
import { RegistrationTestApp } from './support';

/**
 * Issue 15 item 1 (docs/adr/0026): the real Keycloak of the stack (realm `divit`, deploy/keycloak/divit-realm.json)
 * as the identity provider. The registration service trusts it through OIDC discovery only (AUTH_ISSUER +
 * AUTH_OIDC_DISCOVERY=true, no local keys): client-credentials tokens of the realm's clients are accepted with the
 * roles and organisation the realm maps, and tokens of another realm or for another audience are refused. Keycloak
 * not answering fails this file (with what to do), it is never skipped.
 */
describe('registration trusts the real Keycloak (OIDC discovery, client credentials)', () => {
  const keycloak = new LocalKeycloak({}, process.env);
  const otherRealm = `it-other-${randomBytes(3).toString('hex')}`;
  const otherAudienceClient = `it-other-audience-${randomBytes(3).toString('hex')}`;
  let t: RegistrationTestApp | undefined;
  let issuer = '';
  let otherRealmCreated = false;
  // An organisation the realm file does not know, with a named person and a calling system of its own.
  const organisationId = randomUUID();
  const person = `it.admin.${randomBytes(3).toString('hex')}`;
  const systemClient = `it-allocation-system-${randomBytes(3).toString('hex')}`;

  interface LogRow {
    action: string;
    outcome_reason: string | null;
    subject: string | null;
    subject_organisation_id: string | null;
    roles: string[];
  }
  const app = (): RegistrationTestApp => {
    if (!t) throw new Error('the registration service did not start');
    return t;
  };
  const authLog = (subject: string) =>
    app().query<LogRow>(
      `SELECT action, outcome_reason, subject, subject_organisation_id, roles FROM access_log_entries
        WHERE kind = 'AUTHENTICATION' AND subject = $1 ORDER BY id`,
      [subject],
    );

  beforeAll(async () => {
    ({ issuer } = await keycloak.discover());
    t = new RegistrationTestApp(undefined, undefined, { AUTH_ISSUER: issuer, AUTH_OIDC_DISCOVERY: 'true' });
    await t.start();
  });

  afterAll(async () => {
    try {
      if (otherRealmCreated) await keycloak.admin('DELETE', `/${otherRealm}`);
      const found = await keycloak.admin<{ id: string }[]>(
        'GET',
        `/divit/clients?clientId=${encodeURIComponent(otherAudienceClient)}`,
      );
      for (const c of found.json ?? []) await keycloak.admin('DELETE', `/divit/clients/${c.id}`);
      for (const c of (
        await keycloak.admin<{ id: string }[]>('GET', `/divit/clients?clientId=${systemClient}`)
      ).json ?? [])
        await keycloak.admin('DELETE', `/divit/clients/${c.id}`);
      for (const u of (
        await keycloak.admin<{ id: string }[]>('GET', `/divit/users?username=${person}&exact=true`)
      ).json ?? [])
        await keycloak.admin('DELETE', `/divit/users/${u.id}`);
      const groups = await keycloak.admin<{ id: string }>(
        'GET',
        `/divit/group-by-path/organisations/${organisationId}`,
      );
      if (groups.status === 200) await keycloak.admin('DELETE', `/divit/groups/${groups.json.id}`);
    } finally {
      await t?.stop();
    }
  });

  it("accepts the allocation system's token with the realm's role and organisation", async () => {
    const token = await keycloak.clientToken('allocation-system');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: issuer,
      org: KEYCLOAK_ORGANISATIONS.woonkans,
      roles: ['allocation-system'],
    });
    expect([claims.aud].flat()).toContain('divit');

    // Accepted, and its role lets it read registrations: an unknown id is the service's own 404.
    const read = await app().call('GET', `/registrations/${randomUUID()}?purpose=ALLOCATION`, token);
    expect(read).toMatchObject({ status: 404, json: { code: 'REGISTRATION_NOT_FOUND' } });
    // Accepted, but registering an organisation is the platform operator's: its role is what the realm gave it.
    const forbidden = await app().call('POST', '/organisations', token, {});
    expect(forbidden).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });

    // The service's access log names the principal it built from the token: subject, organisation, roles.
    const rows = await authLog(String(claims.sub));
    expect(rows[0]).toEqual({
      action: 'TOKEN_ACCEPTED',
      outcome_reason: null,
      subject: claims.sub,
      subject_organisation_id: KEYCLOAK_ORGANISATIONS.woonkans,
      roles: ['allocation-system'],
    });
    // …and the refused POST with the missing role.
    expect(rows.map((r) => r.outcome_reason)).toContain('MISSING_ROLE');
  });

  it("maps each calling system to its own roles: finance may not read registrations, the platform operator's client acts for 'platform'", async () => {
    const finance = await keycloak.clientToken('finance-system');
    expect(decodeJwt(finance)).toMatchObject({ org: KEYCLOAK_ORGANISATIONS.deKade, roles: ['finance'] });
    const refused = await app().call('GET', `/registrations/${randomUUID()}?purpose=ALLOCATION`, finance);
    expect(refused).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });

    const operator = await keycloak.clientToken('platform-operations');
    expect(decodeJwt(operator)).toMatchObject({ org: 'platform', roles: ['platform-operator'] });
    const read = await app().call('GET', `/organisations/${randomUUID()}`, operator);
    expect(read).toMatchObject({ status: 404, json: { code: 'ORGANISATION_NOT_FOUND' } });
  });

  it('refuses a token of another realm (signed with keys the realm divit does not publish) and a divit token for another audience', async () => {
    // Another realm of the same Keycloak whose client carries every claim the platform asks for; its tokens have
    // another issuer and are signed with that realm's own keys, which the service never learns (unknown key id).
    const systemClaims = [
      {
        name: 'org',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-hardcoded-claim-mapper',
        config: {
          'claim.name': 'org',
          'claim.value': KEYCLOAK_ORGANISATIONS.woonkans,
          'jsonType.label': 'String',
          'access.token.claim': 'true',
        },
      },
      {
        name: 'roles',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-hardcoded-claim-mapper',
        config: {
          'claim.name': 'roles',
          'claim.value': '["allocation-system"]',
          'jsonType.label': 'JSON',
          'access.token.claim': 'true',
        },
      },
    ];
    const audience = (aud: string) => ({
      name: `audience ${aud}`,
      protocol: 'openid-connect',
      protocolMapper: 'oidc-audience-mapper',
      config: { 'included.custom.audience': aud, 'access.token.claim': 'true' },
    });
    const client = (clientId: string, aud: string) => ({
      clientId,
      secret: `${clientId}-secret`,
      publicClient: false,
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
      protocolMappers: [...systemClaims, audience(aud)],
    });
    const created = await keycloak.admin('POST', '', {
      realm: otherRealm,
      enabled: true,
      clients: [client('allocation-system', 'divit')],
    });
    expect(created.status).toBe(201);
    otherRealmCreated = true;
    const foreign = await keycloak.clientToken('allocation-system', 'allocation-system-secret', otherRealm);
    const foreignClaims = decodeJwt(foreign);
    expect(foreignClaims).toMatchObject({
      org: KEYCLOAK_ORGANISATIONS.woonkans,
      roles: ['allocation-system'],
    });
    expect([foreignClaims.aud].flat()).toContain('divit');
    expect(foreignClaims.iss).not.toBe(issuer);
    const otherRealmToken = await app().call(
      'GET',
      `/registrations/${randomUUID()}?purpose=ALLOCATION`,
      foreign,
    );
    expect(otherRealmToken).toMatchObject({
      status: 401,
      json: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: unknown key id.' },
    });
    expect(otherRealmToken.type).toContain('application/problem+json');

    // The realm divit itself, a client whose tokens are meant for another audience.
    const added = await keycloak.admin(
      'POST',
      '/divit/clients',
      client(otherAudienceClient, 'another-platform'),
    );
    expect(added.status).toBe(201);
    const elsewhere = await keycloak.clientToken(otherAudienceClient, `${otherAudienceClient}-secret`);
    const elsewhereClaims = decodeJwt(elsewhere);
    expect(elsewhereClaims).toMatchObject({ iss: issuer, org: KEYCLOAK_ORGANISATIONS.woonkans });
    expect([elsewhereClaims.aud].flat()).toContain('another-platform');
    expect([elsewhereClaims.aud].flat()).not.toContain('divit');
    const wrongAudience = await app().call(
      'GET',
      `/registrations/${randomUUID()}?purpose=ALLOCATION`,
      elsewhere,
    );
    expect(wrongAudience).toMatchObject({
      status: 401,
      json: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: wrong audience.' },
    });

    // Both refusals are in the access log with their reason (the 403s above are there as MISSING_ROLE).
    const rejected = await app().query<LogRow>(
      `SELECT action, outcome_reason FROM access_log_entries
        WHERE kind = 'AUTHENTICATION' AND action = 'TOKEN_REJECTED' AND outcome_reason <> 'MISSING_ROLE'
        ORDER BY id`,
    );
    expect(rejected.map((r) => r.outcome_reason)).toEqual(['UNKNOWN_KEY', 'WRONG_AUDIENCE']);
  });

  it("provisions an organisation's named person and calling system through the admin API; the service accepts both as that organisation", async () => {
    const password = randomBytes(12).toString('base64url');
    const named = {
      username: person,
      password,
      organisationId,
      roles: ['admin'],
      firstName: 'Integratie',
      lastName: 'Test',
    };
    const userId = await keycloak.ensureUser(named);
    // Provisioning again (a second run) finds the same user.
    expect(await keycloak.ensureUser(named)).toBe(userId);
    const personal = await keycloak.userToken(person, password);
    expect(decodeJwt(personal)).toMatchObject({
      iss: issuer,
      sub: userId,
      org: organisationId,
      roles: ['admin'],
    });
    // Acting for its own organisation: the organisation is unknown to the service yet, so its own 404.
    const own = await app().call('GET', `/organisations/${organisationId}`, personal);
    expect(own).toMatchObject({ status: 404, json: { code: 'ORGANISATION_NOT_FOUND' } });
    // Another tenant's organisation (the realm's De Kade): refused, as for any other token.
    const other = await app().call('GET', `/organisations/${KEYCLOAK_ORGANISATIONS.deKade}`, personal);
    expect([403, 404]).toContain(other.status);
    await expect(keycloak.userToken(person, 'not-the-password')).rejects.toThrow(
      /invalid_grant Invalid user credentials/,
    );

    const secret = randomBytes(12).toString('base64url');
    await keycloak.ensureSystemClient({
      clientId: systemClient,
      secret,
      organisationId,
      roles: ['allocation-system'],
    });
    const system = await keycloak.clientToken(systemClient, secret);
    expect(decodeJwt(system)).toMatchObject({
      iss: issuer,
      org: organisationId,
      roles: ['allocation-system'],
    });
    expect([decodeJwt(system).aud].flat()).toContain('divit');
    const read = await app().call('GET', `/registrations/${randomUUID()}?purpose=ALLOCATION`, system);
    expect(read).toMatchObject({ status: 404, json: { code: 'REGISTRATION_NOT_FOUND' } });
  });
});
