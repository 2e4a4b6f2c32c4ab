import { randomUUID } from 'node:crypto';
import { topicCatalogue } from '@divit/contracts';
import { pendingSchemaChanges } from '@divit/persistence';
import { decisionAnswers, eventually, fieldsOf, ReceivedEvent, RegistrationTestApp } from './support';

/** Allocations recorded from the allocation system, and the pseudonymous / direct split of their events. */
describe('registration: allocations (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();
  let admin = '';
  const org = { corpA: '', corpX: '', allocator: '', memberM: '', memberLater: '', outsider: '' };
  const reg = { routeA: '', routeB: '', deregistered: '' };
  let allocationSystem = '';
  const allocations: string[] = [];

  async function insertRegistration(
    organisationId: string,
    birthDate: string,
    status = 'ACTIVE',
  ): Promise<string> {
    // Registrations are created by the registrations module; here only the columns an allocation needs.
    const id = randomUUID();
    await t.db.dataSource.query(
      `INSERT INTO registrations (id, organisation_id, surname, birth_date, registration_date, status, version)
       VALUES ($1, $2, 'Testpersoon', $3, '2019-03-14', $4, 1)`,
      [id, organisationId, birthDate, status],
    );
    return id;
  }

  beforeAll(async () => {
    await t.start();
    admin = t.platformOperator();
    const register = async (name: string, answers: object) => {
      const res = await t.call('POST', '/organisations', admin, {
        name,
        answers,
        effectiveFrom: '2025-01-01',
      });
      expect(res.status).toBe(201);
      return String(res.json.organisationId);
    };
    org.corpA = await register('Woonstichting Alleen', decisionAnswers.routeA);
    org.corpX = await register('Woonstichting Elders', decisionAnswers.routeA);
    org.allocator = await register('Woonruimteverdeler Midden', decisionAnswers.routeB);
    org.memberM = await register('Woonstichting Lid', decisionAnswers.routeA);
    org.memberLater = await register('Woonstichting Later Lid', decisionAnswers.routeA);
    org.outsider = await register('Woonstichting Buiten', decisionAnswers.routeA);
    const join = async (member: string, validFrom: string) =>
      expect(
        (
          await t.call('POST', `/organisations/${org.allocator}/memberships`, admin, {
            memberOrganisationId: member,
            validFrom,
          })
        ).status,
      ).toBe(201);
    await join(org.memberM, '2025-01-01');
    await join(org.memberLater, '2026-06-01');
    reg.routeA = await insertRegistration(org.corpA, '1990-05-17');
    reg.routeB = await insertRegistration(org.allocator, '2008-03-01');
    reg.deregistered = await insertRegistration(org.allocator, '1980-01-01', 'DEREGISTERED');
    allocationSystem = t.token(org.allocator, ['allocation-system'], 'allocation-system-midden');
  });

  afterAll(() => t.stop());

  const record = (body: object, token = allocationSystem) => t.call('POST', '/allocations', token, body);
  const routeBAllocation = () => ({
    registrationId: reg.routeB,
    dwellingReference: 'VHE-000123',
    lettingCorporationId: org.memberM,
    monthlyRentCents: 72350,
    leaseStartDate: '2026-03-01',
    coResidents: [
      { surnamePrefix: 'van der', surname: 'Jansen-Çelik', birthDate: '1988-01-02' },
      { surname: 'Jansen', birthDate: '2015-06-30' },
      { surname: 'Jansen', birthDate: '2008-03-01' },
    ],
  });
  const counts = async () => [await t.count('allocations'), await t.count('allocation_members')];

  it('entities and migrations describe the same schema', async () => {
    expect(await pendingSchemaChanges(t.db.dataSource)).toEqual([]);
  });

  it('records a route B allocation: home seeker and co-residents by pseudonym, adulthood on the lease start', async () => {
    const res = await record(routeBAllocation());
    expect(res.status).toBe(201);
    allocations.push(String(res.json.allocationId));
    expect(res.json).toMatchObject({
      registrationId: reg.routeB,
      organisationId: org.allocator,
      lettingCorporationId: org.memberM,
      monthlyRentCents: 72350,
      leaseStartDate: '2026-03-01',
      exemptionGroup: null,
      incomeTestRequired: true,
    });
    const members = res.json.members as {
      memberId: string;
      role: string;
      adult: boolean;
      statedIdentity?: object;
    }[];
    // The home seeker turns 18 on the lease start date; the third co-resident too; the child does not.
    expect(members.map((m) => [m.role, m.adult])).toEqual([
      ['HOME_SEEKER', true],
      ['CO_RESIDENT', true],
      ['CO_RESIDENT', false],
      ['CO_RESIDENT', true],
    ]);
    expect(new Set(members.map((m) => m.memberId)).size).toBe(4);
    expect(members[1]?.statedIdentity).toEqual({
      surnamePrefix: 'van der',
      surname: 'Jansen-Çelik',
      birthDate: '1988-01-02',
    });
    expect(members[0]?.statedIdentity).toBeUndefined();
    expect(members[2]?.statedIdentity).toBeUndefined();

    // Stored: identifying data of adult co-residents only.
    const rows = await t.db.dataSource.query<
      { role: string; adult: boolean; surname: string | null; birth_date: string | null }[]
    >(
      `SELECT role, adult, surname, birth_date::text AS birth_date FROM allocation_members WHERE allocation_id = $1 ORDER BY position`,
      [res.json.allocationId],
    );
    expect(rows.map((r) => [r.surname, r.birth_date])).toEqual([
      [null, null],
      ['Jansen-Çelik', '1988-01-02'],
      [null, null],
      ['Jansen', '2008-03-01'],
    ]);
  });

  it('publishes AllocationRecorded without identifying data, and adult co-residents only on the identity-data topic', async () => {
    const [allocationId] = allocations;
    const recorded = await t.eventsMatching(
      (e) => e.topic === 'registrationAllocations' && e.value.allocationId === allocationId,
      1,
    );
    const identities = await t.eventsMatching(
      (e) => e.topic === 'registrationIdentityData' && e.value.allocationId === allocationId,
      2,
    );
    expect(recorded).toHaveLength(1);
    const event = recorded[0] as ReceivedEvent;
    expect(event).toMatchObject({
      type: 'nl.divit.registration.AllocationRecorded',
      key: allocationId,
      headers: { ce_type: 'nl.divit.registration.AllocationRecorded', ce_source: '/divit/registration' },
      value: {
        allocationId,
        registrationId: reg.routeB,
        organisationId: org.allocator,
        lettingCorporationId: org.memberM,
        leaseStartDate: '2026-03-01',
        monthlyRentCents: 72350,
        exemptionGroup: null,
      },
    });
    const members = event.value.members as { memberId: string; role: string; adult: boolean }[];
    expect(members.map((m) => Object.keys(m).sort())).toEqual(Array(4).fill(['adult', 'memberId', 'role']));
    const pseudonymous = JSON.stringify(event.value);
    for (const personal of ['Jansen', '1988-01-02', '2015-06-30', '2008-03-01', 'VHE-000123']) {
      expect(pseudonymous).not.toContain(personal);
    }

    expect(identities).toHaveLength(2);
    const adultCoResidents = members
      .filter((m) => m.role === 'CO_RESIDENT' && m.adult)
      .map((m) => m.memberId);
    expect(identities.map((e) => e.value.memberId).sort()).toEqual([...adultCoResidents].sort());
    expect(identities.map((e) => e.value)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          surnamePrefix: 'van der',
          surname: 'Jansen-Çelik',
          birthDate: '1988-01-02',
        }),
        expect.objectContaining({ surnamePrefix: null, surname: 'Jansen', birthDate: '2008-03-01' }),
      ]),
    );
    for (const e of identities) {
      expect(e.key).toBe(allocationId);
      expect(e.type).toBe('nl.divit.registration.CoResidentIdentityProvided');
    }
    // The child's data travels nowhere.
    expect(JSON.stringify(t.received.map((e) => e.value))).not.toContain('2015-06-30');
    // The catalogue classifies the topics accordingly.
    expect(topicCatalogue.registrationAllocations.personalData).toBe('pseudonymous');
    expect(topicCatalogue.registrationIdentityData).toMatchObject({
      personalData: 'direct',
      cleanupPolicy: 'delete',
    });
    expect(topicCatalogue.registrationIdentityData.retentionMs).toBeGreaterThan(0);
    expect(topicCatalogue.registrationIdentityData.retentionMs).toBeLessThanOrEqual(86_400_000);
  });

  it('records a route A allocation of an exempted household (no income test, no identity events, not even for its adult co-resident)', async () => {
    const res = await record(
      {
        registrationId: reg.routeA,
        dwellingReference: 'A/17-2',
        lettingCorporationId: org.corpA,
        monthlyRentCents: 61000,
        leaseStartDate: '2026-04-01',
        exemptionGroup: 'STATUS_HOLDER_FROM_COA',
        // Status holders moving in together from a COA location: the second adult's name goes nowhere.
        coResidents: [{ surname: 'Haddad', birthDate: '1994-02-03' }],
      },
      t.token(org.corpA, ['allocation-system']),
    );
    expect(res).toMatchObject({
      status: 201,
      json: {
        exemptionGroup: 'STATUS_HOLDER_FROM_COA',
        incomeTestRequired: false,
        organisationId: org.corpA,
      },
    });
    const allocationId = String(res.json.allocationId);
    allocations.push(allocationId);
    const [event] = await t.eventsMatching(
      (e) => e.topic === 'registrationAllocations' && e.value.allocationId === allocationId,
      1,
    );
    expect(event?.value).toMatchObject({
      exemptionGroup: 'STATUS_HOLDER_FROM_COA',
      members: [
        expect.objectContaining({ role: 'HOME_SEEKER', adult: true }),
        expect.objectContaining({ role: 'CO_RESIDENT', adult: true }),
      ],
    });
    // Everything written in the allocation's transaction has been relayed: an identity event would be out too.
    await eventually(
      () => t.db.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox_messages`),
      {
        description: 'the outbox to be relayed',
        until: (r) => r[0]!.n === 0,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      t.received.filter(
        (e) => e.topic === 'registrationIdentityData' && e.value.allocationId === allocationId,
      ),
    ).toEqual([]);
    expect(JSON.stringify(t.received.filter((e) => e.value.allocationId === allocationId))).not.toContain(
      'Haddad',
    );
  });

  it.each([
    [
      'a letting corporation that is not a member of the allocator',
      () => ({ lettingCorporationId: org.outsider }),
      'LETTING_CORPORATION_NOT_A_MEMBER',
    ],
    [
      'a member only from after the lease start',
      () => ({ lettingCorporationId: org.memberLater }),
      'LETTING_CORPORATION_NOT_A_MEMBER',
    ],
    [
      'a letting party that is not a corporation',
      () => ({ lettingCorporationId: org.allocator }),
      'LETTING_CORPORATION_NOT_A_CORPORATION',
    ],
    [
      'an unregistered letting corporation',
      () => ({ lettingCorporationId: randomUUID() }),
      'LETTING_CORPORATION_UNKNOWN',
    ],
    [
      'a lease start before the organisation has a route',
      () => ({ leaseStartDate: '2024-12-31', coResidents: [] }),
      'NO_ROUTE_AT_LEASE_START',
    ],
    ['an unknown registration', () => ({ registrationId: randomUUID() }), 'ALLOCATED_REGISTRATION_UNKNOWN'],
    [
      'a deregistered registration',
      () => ({ registrationId: reg.deregistered }),
      'ALLOCATED_REGISTRATION_NOT_ACTIVE',
    ],
    [
      'route A let by another corporation',
      () => ({
        registrationId: reg.routeA,
        lettingCorporationId: org.corpX,
        token: t.token(org.corpA, ['admin']),
      }),
      'LETTING_CORPORATION_NOT_THE_ORGANISATION',
    ],
    [
      "a registration outside the caller's organisations",
      () => ({ token: t.token(org.corpX, ['allocation-system']) }),
      'ALLOCATED_REGISTRATION_UNKNOWN',
    ],
  ])('answers 422 for %s and stores nothing', async (_label, override, code) => {
    const before = await counts();
    const { token, ...changes } = { token: allocationSystem, ...override() };
    const res = await record(
      { ...routeBAllocation(), dwellingReference: `VHE-${randomUUID().slice(0, 8)}`, ...changes },
      token,
    );
    expect(res).toMatchObject({ status: 422, json: { code } });
    expect(res.type).toContain('application/problem+json');
    expect(await counts()).toEqual(before);
  });

  it('refuses a free-sector rent: one cent above the liberalisation limit in force on the lease start (422, nothing recorded); at the limit it records', async () => {
    // 2026 limit EUR 932.93 (services/registration/src/allocations/rent/liberalisation-limits.json; issue 16 item 3).
    const before = await counts();
    const above = await record({
      ...routeBAllocation(),
      dwellingReference: 'VHE-LIBERAAL',
      monthlyRentCents: 93294,
      coResidents: [],
    });
    expect(above).toMatchObject({ status: 422, json: { code: 'RENT_ABOVE_LIBERALISATION_LIMIT' } });
    expect(above.json.detail).toBe(
      'DIV-it is only for the income test of social rental dwellings: the monthly rent EUR 932.94 is above the liberalisation limit EUR 932.93 in force from 2026-01-01 (the latest known limit).',
    );
    // The limit in force is the lease start's: in 2025 it was EUR 900.07.
    const in2025 = await record({
      ...routeBAllocation(),
      dwellingReference: 'VHE-LIBERAAL-2025',
      leaseStartDate: '2025-12-01',
      monthlyRentCents: 90008,
      coResidents: [],
    });
    expect(in2025).toMatchObject({ status: 422, json: { code: 'RENT_ABOVE_LIBERALISATION_LIMIT' } });
    expect(await counts()).toEqual(before);
    const atLimit = await record({
      ...routeBAllocation(),
      dwellingReference: 'VHE-SOCIAAL',
      monthlyRentCents: 93293,
      coResidents: [],
    });
    expect(atLimit.status).toBe(201);
  });

  it('answers 409 for a second allocation of the same dwelling and lease start', async () => {
    const before = await counts();
    const res = await record({ ...routeBAllocation(), coResidents: [] });
    expect(res).toMatchObject({ status: 409, json: { code: 'ALLOCATION_EXISTS' } });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['no household', (b: Record<string, unknown>) => ({ ...b, coResidents: undefined }), ['coResidents']],
    ['an unknown field', (b: Record<string, unknown>) => ({ ...b, bsn: '123456782' }), ['bsn']],
    [
      'a rent in euros with decimals',
      (b: Record<string, unknown>) => ({ ...b, monthlyRentCents: 723.5 }),
      ['monthlyRentCents'],
    ],
    [
      'a negative rent',
      (b: Record<string, unknown>) => ({ ...b, monthlyRentCents: -1 }),
      ['monthlyRentCents'],
    ],
    [
      'an impossible lease start',
      (b: Record<string, unknown>) => ({ ...b, leaseStartDate: '2026-02-30' }),
      ['leaseStartDate'],
    ],
    [
      'an unknown exemption group',
      (b: Record<string, unknown>) => ({ ...b, exemptionGroup: 'REFUGEE' }),
      ['exemptionGroup'],
    ],
    [
      'a malformed registration id',
      (b: Record<string, unknown>) => ({ ...b, registrationId: 'R-1' }),
      ['registrationId'],
    ],
    [
      'an empty dwelling reference',
      (b: Record<string, unknown>) => ({ ...b, dwellingReference: ' ' }),
      ['dwellingReference'],
    ],
    [
      'a co-resident born after the lease start',
      (b: Record<string, unknown>) => ({
        ...b,
        coResidents: [{ surname: 'Jansen', birthDate: '2026-03-02' }],
      }),
      ['coResidents.0.birthDate'],
    ],
    [
      'a co-resident without surname, one with digits in it, and one with a BSN',
      (b: Record<string, unknown>) => ({
        ...b,
        coResidents: [
          { birthDate: '1990-01-01' },
          { surname: 'Jansen2', birthDate: '1990-01-01' },
          { surname: 'Jansen', birthDate: '1990-01-01', bsn: '123456782' },
        ],
      }),
      ['coResidents.0.surname', 'coResidents.1.surname', 'coResidents.2.bsn'],
    ],
    [
      'three students with study finance',
      (b: Record<string, unknown>) => ({
        ...b,
        exemptionGroup: 'STUDENTS_WITH_STUDY_FINANCE',
        coResidents: [
          { surname: 'Bakker', birthDate: '2004-01-01' },
          { surname: 'Visser', birthDate: '2005-01-01' },
        ],
      }),
      ['exemptionGroup'],
    ],
  ])(
    'answers 400 naming the field for %s, without echoing personal data, and stores nothing',
    async (_label, mutate, fields) => {
      const before = await counts();
      const res = await record(mutate({ ...routeBAllocation(), dwellingReference: 'VHE-999' }));
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual(fields);
      expect(JSON.stringify(res.json)).not.toMatch(/Jansen|Bakker|123456782|1988-01-02/);
      expect(await counts()).toEqual(before);
    },
  );

  it('requires a token and the allocation-system or admin role to record', async () => {
    const before = await counts();
    const anonymous = await fetch(`${await t.app.getUrl()}/allocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(routeBAllocation()),
    });
    expect(anonymous.status).toBe(401);
    const member = await record(
      { ...routeBAllocation(), dwellingReference: 'VHE-777' },
      t.token(org.allocator, ['coordinator']),
    );
    expect(member).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    expect(await counts()).toEqual(before);
  });

  it("shows an allocation within the caller's scope; stated identities only to the allocation system and admins", async () => {
    const [allocationId] = allocations;
    const get = (token: string) => t.call('GET', `/allocations/${String(allocationId)}`, token);
    const bySystem = await get(allocationSystem);
    expect(bySystem.status).toBe(200);
    expect(
      (bySystem.json.members as { statedIdentity?: object }[]).filter((m) => m.statedIdentity),
    ).toHaveLength(2);

    // The letting corporation sees it, by pseudonym only.
    const byLettingCorporation = await get(t.token(org.memberM, ['member']));
    expect(byLettingCorporation.status).toBe(200);
    expect(JSON.stringify(byLettingCorporation.json)).not.toContain('Jansen');

    expect(await get(t.token(org.outsider, ['member']))).toMatchObject({
      status: 404,
      json: { code: 'ALLOCATION_NOT_FOUND' },
    });
    expect(await get(t.token(org.allocator, ['finance']))).toMatchObject({ status: 403 });
    // Every read of the allocation (personal data) is in the access log; the refused ones are not.
    const reads = await t.db.dataSource.query<{ subject_organisation_id: string }[]>(
      `SELECT a.subject_organisation_id FROM access_log_entries a JOIN allocations l ON l.registration_id = a.registration_id
        WHERE l.id = $1 AND a.action = 'ALLOCATION_READ' ORDER BY a.id`,
      [allocationId],
    );
    expect(reads.map((r) => r.subject_organisation_id)).toEqual([org.allocator, org.memberM]);
    expect(await t.call('GET', `/allocations/${randomUUID()}`, allocationSystem)).toMatchObject({
      status: 404,
    });
    const bad = await t.call('GET', '/allocations/not-a-uuid', allocationSystem);
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['id']);
  });
});
