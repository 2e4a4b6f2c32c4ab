import { randomUUID } from 'node:crypto';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * Issue 16 item 2 (ADR 0035): the controller in force of an allocation, the route B hand-over at the seeker's
 * acceptance of the offered dwelling, and the route C primus inter pares that must be a member.
 */
describe('registration: controller in force and the hand-over at acceptance (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();
  let operator = '';
  const org = {
    allocator: '',
    otherAllocator: '',
    letting: '',
    leaver: '',
    otherMember: '',
    pip: '',
    cMember: '',
    outsider: '',
  };
  const reg = { routeB: '', otherTenant: '' };
  let allocatorSystem = '';
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

  async function insertRegistration(organisationId: string): Promise<string> {
    // Registrations are created by the registrations module; here only the columns an allocation needs.
    const id = randomUUID();
    await t.db.dataSource.query(
      `INSERT INTO registrations (id, organisation_id, surname, birth_date, registration_date, status, version)
       VALUES ($1, $2, 'Testpersoon', '1990-05-17', '2019-03-14', 'ACTIVE', 1)`,
      [id, organisationId],
    );
    return id;
  }

  const register = async (body: object) => t.call('POST', '/organisations', operator, body);
  const registerId = async (name: string, answers: object, extra: object = {}) => {
    const res = await register({ name, answers, effectiveFrom: '2025-01-01', ...extra });
    expect(res.status).toBe(201);
    return String(res.json.organisationId);
  };
  const join = async (organisationId: string, member: string, validFrom: string, validTo?: string) => {
    const res = await t.call('POST', `/organisations/${organisationId}/memberships`, operator, {
      memberOrganisationId: member,
      validFrom,
      ...(validTo ? { validTo } : {}),
    });
    expect(res.status).toBe(201);
    return String(res.json.id);
  };
  const allocate = async (registrationId: string, lettingCorporationId: string, token: string) => {
    const res = await t.call('POST', '/allocations', token, {
      registrationId,
      dwellingReference: `VHE-${randomUUID().slice(0, 8)}`,
      lettingCorporationId,
      monthlyRentCents: 72350,
      leaseStartDate: '2025-06-01',
      coResidents: [],
    });
    expect(res.status).toBe(201);
    return String(res.json.allocationId);
  };
  const accept = (allocationId: string, token: string, acceptedOn = today) =>
    t.call('POST', `/allocations/${allocationId}/acceptance`, token, { acceptedOn });
  const acceptedRows = async (allocationId: string) =>
    (
      await t.query<{ accepted_on: string | null }>(
        `SELECT accepted_on::text AS accepted_on FROM allocations WHERE id = $1`,
        [allocationId],
      )
    )[0]?.accepted_on;

  beforeAll(async () => {
    await t.start();
    operator = t.platformOperator();
    org.letting = await registerId('Woonstichting Verhuurder', decisionAnswers.routeA);
    org.leaver = await registerId('Woonstichting Vertrokken', decisionAnswers.routeA);
    org.otherMember = await registerId('Woonstichting Ander Verband', decisionAnswers.routeA);
    org.pip = await registerId('Woonstichting Primus', decisionAnswers.routeA);
    org.cMember = await registerId('Woonstichting Mede', decisionAnswers.routeA);
    org.outsider = await registerId('Woonstichting Buitenstaander', decisionAnswers.routeA);
    org.allocator = await registerId('Woonruimteverdeler Overdracht', decisionAnswers.routeB);
    org.otherAllocator = await registerId('Woonruimteverdeler Andere Huurder', decisionAnswers.routeB);
    await join(org.allocator, org.letting, '2025-01-01');
    // A member until yesterday: it let the dwelling while a member, but no longer is on the day of acceptance.
    await join(org.allocator, org.leaver, '2025-01-01', yesterday);
    await join(org.otherAllocator, org.otherMember, '2025-01-01');
    reg.routeB = await insertRegistration(org.allocator);
    reg.otherTenant = await insertRegistration(org.otherAllocator);
    allocatorSystem = t.token(org.allocator, ['allocation-system'], 'allocation-system-overdracht');
  });

  afterAll(() => t.stop());

  it('route B: the allocator is controller until acceptance, the letting corporation from it; AllocationOfferAccepted is published', async () => {
    const allocationId = await allocate(reg.routeB, org.letting, allocatorSystem);
    const before = await t.call('GET', `/allocations/${allocationId}`, allocatorSystem);
    expect(before.json).toMatchObject({
      acceptedOn: null,
      controller: {
        at: today,
        route: 'B',
        basis: 'ROUTE_B_HOUSING_ALLOCATOR',
        organisationIds: [org.allocator],
        joint: false,
      },
    });

    const accepted = await accept(allocationId, allocatorSystem);
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({
      allocationId,
      lettingCorporationId: org.letting,
      acceptedOn: today,
      previousController: {
        route: 'B',
        basis: 'ROUTE_B_HOUSING_ALLOCATOR',
        organisationIds: [org.allocator],
      },
      controller: {
        route: 'B',
        basis: 'LETTING_CORPORATION_FROM_ACCEPTANCE',
        organisationIds: [org.letting],
        joint: false,
      },
    });

    const after = await t.call('GET', `/allocations/${allocationId}`, allocatorSystem);
    expect(after.json).toMatchObject({
      acceptedOn: today,
      controller: { basis: 'LETTING_CORPORATION_FROM_ACCEPTANCE', organisationIds: [org.letting] },
    });
    // The letting corporation reads the allocation it now controls.
    const byLetting = await t.call('GET', `/allocations/${allocationId}`, t.token(org.letting, ['member']));
    expect(byLetting).toMatchObject({
      status: 200,
      json: { controller: { organisationIds: [org.letting] } },
    });

    const [event] = await t.eventsMatching(
      (e) =>
        e.topic === 'registrationAllocations' &&
        e.type === 'nl.divit.registration.AllocationOfferAccepted' &&
        e.value.allocationId === allocationId,
      1,
    );
    expect(event).toMatchObject({
      key: allocationId,
      value: {
        allocationId,
        registrationId: reg.routeB,
        organisationId: org.allocator,
        lettingCorporationId: org.letting,
        route: 'B',
        acceptedOn: today,
        previousControllerOrganisationIds: [org.allocator],
        controllerOrganisationIds: [org.letting],
      },
    });
    // Organisation ids, a date and a time: no personal data.
    expect(Object.keys(event?.value ?? {}).sort()).toEqual(
      [
        'acceptedOn',
        'allocationId',
        'controllerOrganisationIds',
        'lettingCorporationId',
        'occurredAt',
        'organisationId',
        'previousControllerOrganisationIds',
        'registrationId',
        'route',
      ].sort(),
    );

    // Audited, and idempotent: the same day answers the first acceptance; another day is a conflict.
    const audit = await t.query<{ changed_fields: string[] }>(
      `SELECT changed_fields FROM access_log_entries WHERE allocation_id = $1 AND action = 'ALLOCATION_OFFER_ACCEPTED'`,
      [allocationId],
    );
    expect(audit).toEqual([{ changed_fields: ['acceptedAt', 'acceptedOn'] }]);
    const again = await accept(allocationId, allocatorSystem);
    expect(again).toMatchObject({ status: 200, json: { acceptedAt: accepted.json.acceptedAt } });
    const otherDay = await accept(allocationId, allocatorSystem, yesterday);
    expect(otherDay).toMatchObject({
      status: 409,
      type: expect.stringContaining('application/problem+json') as unknown,
      json: { code: 'ALLOCATION_ALREADY_ACCEPTED', acceptedOn: today },
    });
    const events = await t.eventsMatching(
      (e) =>
        e.type === 'nl.divit.registration.AllocationOfferAccepted' && e.value.allocationId === allocationId,
      1,
    );
    expect(events).toHaveLength(1);
  });

  it('another tenant cannot record the acceptance (404, as a missing id), nor can the letting corporation alone (403)', async () => {
    const allocationId = await allocate(reg.routeB, org.letting, allocatorSystem);
    const otherTenant = t.token(org.otherAllocator, ['allocation-system'], 'allocation-system-andere');
    expect(await accept(allocationId, otherTenant)).toMatchObject({
      status: 404,
      json: { code: 'ALLOCATION_NOT_FOUND' },
    });
    // The other tenant's own allocation is not reachable for this tenant either.
    const theirs = await allocate(
      reg.otherTenant,
      org.otherMember,
      t.token(org.otherAllocator, ['allocation-system']),
    );
    expect(await accept(theirs, allocatorSystem)).toMatchObject({
      status: 404,
      json: { code: 'ALLOCATION_NOT_FOUND' },
    });
    expect(await accept(allocationId, t.token(org.letting, ['admin']))).toMatchObject({
      status: 403,
      json: { code: 'ACCEPTANCE_BY_ALLOCATING_ORGANISATION_ONLY' },
    });
    expect(await acceptedRows(allocationId)).toBeNull();
    expect(await acceptedRows(theirs)).toBeNull();
  });

  it('refuses the hand-over to a letting corporation that is no longer a member on the day of acceptance', async () => {
    const allocationId = await allocate(reg.routeB, org.leaver, allocatorSystem);
    const refused = await accept(allocationId, allocatorSystem);
    expect(refused).toMatchObject({
      status: 422,
      type: expect.stringContaining('application/problem+json') as unknown,
      json: { code: 'LETTING_CORPORATION_NOT_A_MEMBER', route: 'B' },
    });
    expect(await acceptedRows(allocationId)).toBeNull();
    const audit = await t.query(
      `SELECT 1 FROM access_log_entries WHERE allocation_id = $1 AND action = 'ALLOCATION_OFFER_ACCEPTED'`,
      [allocationId],
    );
    expect(audit).toEqual([]);
  });

  it('route C: the primus inter pares must be a member, at registration and at a coordinator change', async () => {
    const collaboration = (name: string) => ({
      name,
      answers: decisionAnswers.routeC,
      effectiveFrom: '2025-01-01',
    });
    const before = await t.count('organisations');
    expect(
      await register({
        ...collaboration('SV Zonder Lid PIP'),
        coordinatorOrganisationId: org.pip,
        memberOrganisationIds: [org.cMember],
      }),
    ).toMatchObject({
      status: 422,
      type: expect.stringContaining('application/problem+json') as unknown,
      json: { code: 'COORDINATOR_NOT_A_MEMBER' },
    });
    expect(
      await register({ ...collaboration('SV Zonder Leden'), coordinatorOrganisationId: org.pip }),
    ).toMatchObject({ status: 422, json: { code: 'COORDINATOR_NOT_A_MEMBER' } });
    expect(
      await register({
        ...collaboration('SV Met Verband Als Lid'),
        coordinatorOrganisationId: org.pip,
        memberOrganisationIds: [org.pip, org.allocator],
      }),
    ).toMatchObject({ status: 422, json: { code: 'MEMBER_NOT_A_CORPORATION' } });
    expect(
      await register({
        name: 'Woonstichting Met Leden',
        answers: decisionAnswers.routeA,
        effectiveFrom: '2025-01-01',
        memberOrganisationIds: [org.cMember],
      }),
    ).toMatchObject({ status: 422, json: { code: 'MEMBERS_NOT_ALLOWED' } });
    expect(await t.count('organisations')).toBe(before);

    // Founding members come with the registration: the primus inter pares among them.
    const c = await register({
      ...collaboration('SV Samen Verhuren'),
      coordinatorOrganisationId: org.pip,
      memberOrganisationIds: [org.pip, org.cMember],
    });
    expect(c).toMatchObject({ status: 201, json: { route: 'C', coordinatorOrganisationId: org.pip } });
    const collaborationId = String(c.json.organisationId);
    const members = await t.call('GET', `/organisations/${collaborationId}/memberships`, operator);
    expect(
      (members.json.memberships as { memberOrganisationId: string; validFrom: string }[])
        .map((m) => [m.memberOrganisationId, m.validFrom])
        .sort(),
    ).toEqual(
      [
        [org.pip, '2025-01-01'],
        [org.cMember, '2025-01-01'],
      ].sort(),
    );
    await t.eventsMatching(
      (e) =>
        e.type === 'nl.divit.registration.MembershipStarted' && e.value.organisationId === collaborationId,
      2,
    );

    // A coordinator change to a corporation that is not a member on the change's first day is refused ...
    const change = (coordinatorOrganisationId: string, effectiveFrom: string) =>
      t.call('POST', `/organisations/${collaborationId}/route-changes`, operator, {
        route: 'C',
        coordinatorOrganisationId,
        effectiveFrom,
      });
    expect(await change(org.outsider, '2026-01-01')).toMatchObject({
      status: 422,
      json: { code: 'COORDINATOR_NOT_A_MEMBER' },
    });
    // ... also when its membership only starts later; enrolled first, it can be appointed.
    await join(collaborationId, org.outsider, '2026-02-01');
    expect(await change(org.outsider, '2026-01-01')).toMatchObject({
      status: 422,
      json: { code: 'COORDINATOR_NOT_A_MEMBER' },
    });
    expect(await change(org.outsider, '2026-02-01')).toMatchObject({
      status: 201,
      json: { current: { route: 'C', coordinatorOrganisationId: org.outsider } },
    });

    // The primus inter pares cannot leave while appointed.
    const history = await t.call('GET', `/organisations/${collaborationId}/memberships/history`, operator);
    const outsiderMembership = (
      history.json.memberships as { id: string; memberOrganisationId: string }[]
    ).find((m) => m.memberOrganisationId === org.outsider);
    expect(
      await t.call(
        'POST',
        `/organisations/${collaborationId}/memberships/${String(outsiderMembership?.id)}/end`,
        operator,
        { validTo: '2026-12-31' },
      ),
    ).toMatchObject({ status: 409, json: { code: 'MEMBER_IS_PRIMUS_INTER_PARES' } });
  });

  it('route C: the members are controllers jointly (listed) until acceptance, the letting corporation from it', async () => {
    const c = await register({
      name: 'SV Gezamenlijk',
      answers: decisionAnswers.routeC,
      effectiveFrom: '2025-01-01',
      coordinatorOrganisationId: org.pip,
      memberOrganisationIds: [org.pip, org.cMember],
    });
    expect(c.status).toBe(201);
    const collaborationId = String(c.json.organisationId);
    const registrationId = await insertRegistration(collaborationId);
    const pipSystem = t.token(org.pip, ['allocation-system'], 'allocation-system-primus');
    const allocationId = await allocate(registrationId, org.cMember, pipSystem);
    const before = await t.call('GET', `/allocations/${allocationId}`, pipSystem);
    expect(before.json).toMatchObject({
      controller: {
        route: 'C',
        basis: 'ROUTE_C_MEMBERS_JOINTLY',
        organisationIds: [org.pip, org.cMember].sort(),
        joint: true,
      },
    });
    const accepted = await accept(allocationId, pipSystem);
    expect(accepted).toMatchObject({
      status: 200,
      json: {
        previousController: {
          basis: 'ROUTE_C_MEMBERS_JOINTLY',
          organisationIds: [org.pip, org.cMember].sort(),
        },
        controller: { basis: 'LETTING_CORPORATION_FROM_ACCEPTANCE', organisationIds: [org.cMember] },
      },
    });
  });
});
