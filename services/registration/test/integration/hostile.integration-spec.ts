import { randomUUID } from 'node:crypto';
import { HostileTier, operatorRoles, tenantRoles } from '@divit/testing';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * The hostile-client tier for registration, generated from docs/openapi/registration.json (see
 * docs/testing.md): tenant B against every operation on tenant A's data, seeded bad input for every write, and
 * 50 simultaneous requests of tenant A with the pool at its default size.
 */
describe('registration: hostile clients (every operation of the OpenAPI document)', () => {
  // The rate limit has its own tests; here it would answer the concurrency bursts instead of the pool.
  const t = new RegistrationTestApp(undefined, undefined, { RATE_LIMIT_ENABLED: 'false' });
  let tier: HostileTier;

  beforeAll(async () => {
    await t.start();
    // Tenant A: an allocator (route B) with a member corporation, a registration, an allocation and a dossier
    // load; tenant B: a corporation of its own. Set up through the API as a platform operator would.
    const operator = t.token('platform', operatorRoles(), 'platform-operator');
    const ok = async (method: string, path: string, token: string, body: unknown) => {
      const res = await t.call(method, path, token, body);
      if (res.status >= 300) throw new Error(`fixture ${method} ${path}: ${res.status} ${res.text}`);
      return res.json;
    };
    const register = async (name: string, answers: object) =>
      String(
        (await ok('POST', '/organisations', operator, { name, answers, effectiveFrom: '2025-01-01' }))
          .organisationId,
      );
    const allocatorA = await register('Woonruimteverdeler A', decisionAnswers.routeB);
    const corporationA = await register('Woonstichting A', decisionAnswers.routeA);
    const corporationA2 = await register('Woonstichting A Twee', decisionAnswers.routeA);
    const organisationB = await register('Woonstichting B', decisionAnswers.routeA);
    const membershipId = String(
      (
        await ok('POST', `/organisations/${allocatorA}/memberships`, operator, {
          memberOrganisationId: corporationA,
          validFrom: '2025-01-01',
        })
      ).id,
    );
    await ok('POST', `/organisations/${allocatorA}/housing-stock`, operator, {
      memberOrganisationId: corporationA,
      dwellings: 1200,
      effectiveFrom: '2025-01-01',
    });
    const a = t.token(allocatorA, operatorRoles(), 'tenant-a-admin');
    const registration = (surname: string) => ({
      organisationId: allocatorA,
      surname,
      birthDate: '1990-05-17',
      postcode: '1234 AB',
      houseNumber: 12,
      registrationDate: '2019-03-14',
    });
    const registrationId = String(
      (await ok('POST', '/registrations', a, registration('Aalbers'))).registrationId,
    );
    // A second registration of tenant A, for the manual merge (issue 16 item 14).
    const duplicateId = String(
      (await ok('POST', '/registrations', a, registration('Aalbers'))).registrationId,
    );
    const allocation = {
      registrationId,
      dwellingReference: 'VHE-A-1',
      lettingCorporationId: corporationA,
      monthlyRentCents: 72350,
      leaseStartDate: '2026-03-01',
      coResidents: [{ surname: 'Aalbers', birthDate: '1991-01-02' }],
    };
    const allocationId = String((await ok('POST', '/allocations', a, allocation)).allocationId);
    const csv = [
      'source_system,dossier_number,surname,birth_date,postcode,house_number,registration_date,organisation_id',
      `hostile-a,A-1,Abbink,1980-04-01,1234 AB,12,2015-03-01,${allocatorA}`,
    ].join('\n');
    const load = await t.raw('POST', '/dossier-imports?mode=full&source=hostile-a', {
      headers: { authorization: `Bearer ${a}`, 'content-type': 'text/csv' },
      body: csv,
    });
    if (load.status !== 201)
      throw new Error(`fixture dossier import: ${load.status} ${load.body.toString()}`);
    const loadId = String((JSON.parse(load.body.toString()) as { loadId: string }).loadId);

    const org = { path: { id: allocatorA } };
    // A named user of A (docs/adr/0030), straight in the table: the tier's app has no identity provider configured,
    // and B's attempts are refused before any call to it.
    const namedUserId = randomUUID();
    await t.query(
      `INSERT INTO named_users (id, organisation_id, idp_user_id, username, email, roles, status, invited_at,
                                invited_by, changed_at)
       VALUES ($1, $2, $3, 'hostile.a.contact', NULL, '{member}', 'ACTIVE', now(), 'fixture', now())`,
      [namedUserId, allocatorA, randomUUID()],
    );
    const user = { path: { id: allocatorA, userId: namedUserId } };
    const client = { path: { id: allocatorA, clientId: 'allocation-system-a' } };
    tier = new HostileTier({
      service: 'registration',
      app: t,
      tokens: { a, b: t.token(organisationB, tenantRoles(), 'tenant-b-admin') },
      values: {
        organisationId: allocatorA,
        memberOrganisationId: corporationA2,
        coordinatorOrganisationId: corporationA,
        lettingCorporationId: corporationA,
        registrationId,
        allocationId,
        loadId,
        membershipId,
        source: 'hostile-a',
      },
      requests: {
        allocationsGet: { path: { id: allocationId } },
        allocationsClose: { path: { id: allocationId }, body: { outcome: 'LEASE_SIGNED' } },
        // The seeker's acceptance of the offered dwelling (ADR 0035): today, the day the allocation was recorded.
        allocationsAccept: {
          path: { id: allocationId },
          body: {
            acceptedOn: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date()),
          },
        },
        allocationsRecord: { body: allocation },
        registrationsGet: { path: { id: registrationId } },
        registrationsAccessLogOf: { path: { id: registrationId } },
        registrationsUpdate: { path: { id: registrationId }, body: { surname: 'Gewijzigd' } },
        registrationsDeregister: { path: { id: registrationId } },
        registrationsCreate: { body: registration('Nieuw') },
        organisationsGet: org,
        organisationsRoute: org,
        organisationsRouteChanges: org,
        organisationsChangeRoute: {
          path: { id: corporationA },
          body: { route: 'B', coordinatorOrganisationId: allocatorA, effectiveFrom: '2027-01-01' },
        },
        organisationMembershipsHousingStockOn: org,
        organisationMembershipsHousingStockHistory: org,
        organisationMembershipsRecordHousingStock: {
          ...org,
          body: { memberOrganisationId: corporationA, dwellings: 1, effectiveFrom: '2026-01-01' },
        },
        organisationMembershipsMembershipsOn: org,
        organisationMembershipsMembershipHistory: org,
        organisationMembershipsStart: {
          ...org,
          body: { memberOrganisationId: corporationA2, validFrom: '2025-01-01' },
        },
        organisationMembershipsEnd: {
          path: { id: allocatorA, membershipId },
          body: { validTo: '2026-12-31' },
        },
        dossierImportImport: { query: { mode: 'delta', source: 'hostile-a' }, body: csv },
        dossierImportConcordance: { query: { source: 'hostile-a' } },
        registrationMergeMerge: {
          body: { survivorRegistrationId: registrationId, duplicateRegistrationId: duplicateId },
        },
        organisationsRegister: {
          body: { name: 'Woonstichting Nieuw', answers: decisionAnswers.routeA, effectiveFrom: '2025-01-01' },
        },
        accessList: org,
        accessInvite: {
          ...org,
          body: { username: 'hostile.b.intruder', firstName: 'In', lastName: 'Truder', roles: ['member'] },
        },
        accessChange: { ...user, body: { roles: ['finance'] } },
        accessRemove: user,
        accessSuspendUser: user,
        accessReinstateUser: user,
        accessSuspendClient: client,
        accessReinstateClient: client,
        accessSuspendOrganisation: org,
        accessReinstateOrganisation: org,
        accessSetAgreementEnd: { ...org, body: { endsAt: '2030-01-01T00:00:00Z' } },
        accessRecordReview: { ...org, body: { note: 'Reviewed.' } },
        accessReport: org,
      },
      burst: [
        'registrationsGet',
        'registrationsUpdate',
        'registrationsCreate',
        'allocationsGet',
        'allocationsRecord',
      ],
      classes: {
        accessSuspendOrganisation: {
          kind: 'operator',
          reason: "suspending a whole organisation's access is the platform operator's (docs/adr/0030)",
        },
        accessReinstateOrganisation: {
          kind: 'operator',
          reason: "lifting an organisation's suspension is the platform operator's (docs/adr/0030)",
        },
        accessSetAgreementEnd: {
          kind: 'operator',
          reason: "an organisation's agreement end is set by the platform operator (docs/adr/0030)",
        },
        organisationsRegister: {
          kind: 'operator',
          reason: 'registering an organisation (a new tenant) is platform staff work',
        },
      },
      ignoredTables: {
        migrations: 'schema history',
      },
    });
  });

  afterAll(async () => {
    await tier?.releaseStuckSessions();
    tier?.summary();
    await t.stop();
  });

  it('classifies every operation of the OpenAPI document (public ones with a reason)', () => {
    expect(tier.classification()).toEqual([]);
  });

  it("tenant B cannot read or change tenant A's data through any operation (0 partial writes)", async () => {
    expect(await tier.crossTenant()).toEqual([]);
  });

  it('answers seeded bad input on every write, query and path parameter with 4xx problem+json, never 5xx', async () => {
    expect(await tier.badInput()).toEqual([]);
  }, 300_000);

  it('answers bursts of 50 simultaneous requests of tenant A without 5xx or a stuck pool', async () => {
    expect(await tier.concurrency(50)).toEqual([]);
  }, 300_000);
});
