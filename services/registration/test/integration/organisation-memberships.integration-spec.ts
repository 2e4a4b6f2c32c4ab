import { pendingSchemaChanges } from '@divit/persistence';
import { OrganisationScopeService } from '../../src/organisations/organisation-scope.service';
import { decisionAnswers, eventually, fieldsOf, ReceivedEvent, RegistrationTestApp } from './support';

/**
 * Memberships, housing stock and route changes over time, the `at=` queries, the caller scope, and the
 * events billing rebuilds members, periods and stock from.
 */
describe('registration: memberships, housing stock and route changes (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();
  let admin = '';
  const org: Record<'corp1' | 'corp2' | 'corp3' | 'allocator' | 'collab', string> = {
    corp1: '',
    corp2: '',
    corp3: '',
    allocator: '',
    collab: '',
  };
  const membership: Record<string, string> = {};

  beforeAll(async () => {
    await t.start();
    admin = t.platformOperator();
    const register = async (name: string, answers: object, extra: object = {}) => {
      const res = await t.call('POST', '/organisations', admin, {
        name,
        answers,
        effectiveFrom: '2025-01-01',
        ...extra,
      });
      expect(res.status).toBe(201);
      return String(res.json.organisationId);
    };
    org.corp1 = await register('Woonstichting Een', decisionAnswers.routeA);
    org.corp2 = await register('Woonstichting Twee', decisionAnswers.routeA);
    org.corp3 = await register('Woonstichting Drie', decisionAnswers.routeA);
    org.allocator = await register('Woonruimteverdeler Regio', decisionAnswers.routeB);
    // A route C collaboration comes with its founding members, the primus inter pares among them (ADR 0035).
    org.collab = await register('Samenwerkingsverband Kust', decisionAnswers.routeC, {
      coordinatorOrganisationId: org.corp1,
      memberOrganisationIds: [org.corp1, org.corp3],
    });
  });

  afterAll(() => t.stop());

  const start = (organisationId: string, body: object, token = admin) =>
    t.call('POST', `/organisations/${organisationId}/memberships`, token, body);

  it('entities and migrations describe the same schema', async () => {
    expect(await pendingSchemaChanges(t.db.dataSource)).toEqual([]);
  });

  it('records effective-dated memberships and refuses overlapping periods of the same pair', async () => {
    const first = await start(org.allocator, { memberOrganisationId: org.corp1, validFrom: '2025-01-01' });
    expect(first).toMatchObject({
      status: 201,
      json: {
        organisationId: org.allocator,
        memberOrganisationId: org.corp1,
        validFrom: '2025-01-01',
        validTo: null,
      },
    });
    membership.corp1 = String(first.json.id);
    const second = await start(org.allocator, {
      memberOrganisationId: org.corp2,
      validFrom: '2025-01-01',
      validTo: '2025-12-31',
    });
    expect(second.status).toBe(201);

    const before = await t.count('organisation_memberships');
    const overlapping = await start(org.allocator, {
      memberOrganisationId: org.corp2,
      validFrom: '2025-12-31',
    });
    expect(overlapping).toMatchObject({ status: 409, json: { code: 'MEMBERSHIP_OVERLAPS' } });
    expect(overlapping.type).toContain('application/problem+json');
    const around = await start(org.allocator, {
      memberOrganisationId: org.corp2,
      validFrom: '2025-02-01',
      validTo: '2026-01-01',
    });
    expect(around).toMatchObject({ status: 409, json: { code: 'MEMBERSHIP_OVERLAPS' } });
    expect(await t.count('organisation_memberships')).toBe(before);

    // A new period after a gap is fine.
    const again = await start(org.allocator, { memberOrganisationId: org.corp2, validFrom: '2026-03-01' });
    expect(again.status).toBe(201);

    // The route C collaboration's founding members came with its registration: enrolling them again overlaps.
    expect(
      await start(org.collab, { memberOrganisationId: org.corp1, validFrom: '2025-01-01' }),
    ).toMatchObject({ status: 409, json: { code: 'MEMBERSHIP_OVERLAPS' } });
  });

  it('the database itself refuses overlapping periods (a backstop for concurrent writers)', async () => {
    const insert = (from: string, to: string | null) =>
      t.db.dataSource.query(
        `INSERT INTO organisation_memberships (id, organisation_id, member_organisation_id, valid_from, valid_to)
         VALUES (gen_random_uuid(), $1, $2, $3, $4)`,
        [org.allocator, org.corp1, from, to],
      );
    await expect(insert('2030-01-01', null)).rejects.toMatchObject({ driverError: { code: '23P01' } });
    await expect(insert('2024-01-01', '2025-01-01')).rejects.toMatchObject({
      driverError: { code: '23P01' },
    });
  });

  it('refuses members that are not corporations, organisations without members and unknown ones', async () => {
    const before = await t.count('organisation_memberships');
    expect(
      await start(org.allocator, { memberOrganisationId: org.collab, validFrom: '2025-01-01' }),
    ).toMatchObject({
      status: 422,
      json: { code: 'MEMBER_NOT_A_CORPORATION' },
    });
    expect(
      await start(org.corp3, { memberOrganisationId: org.corp2, validFrom: '2025-01-01' }),
    ).toMatchObject({
      status: 422,
      json: { code: 'NOT_A_COORDINATING_ORGANISATION' },
    });
    // Before the allocator's route applies it has no members either.
    expect(
      await start(org.allocator, { memberOrganisationId: org.corp3, validFrom: '2024-12-31' }),
    ).toMatchObject({
      status: 422,
      json: { code: 'NOT_A_COORDINATING_ORGANISATION' },
    });
    expect(
      await start(org.allocator, {
        memberOrganisationId: '00000000-0000-4000-8000-000000000000',
        validFrom: '2025-01-01',
      }),
    ).toMatchObject({ status: 422, json: { code: 'MEMBER_UNKNOWN' } });
    expect(
      await start('00000000-0000-4000-8000-000000000000', {
        memberOrganisationId: org.corp1,
        validFrom: '2025-01-01',
      }),
    ).toMatchObject({ status: 404, json: { code: 'ORGANISATION_NOT_FOUND' } });
    expect(await t.count('organisation_memberships')).toBe(before);
  });

  it.each([
    [
      'bad id, impossible date and an unknown field',
      () => ({ memberOrganisationId: 'corp-1', validFrom: '2025-13-01', extra: 1 }),
      ['extra', 'memberOrganisationId', 'validFrom'],
    ],
    [
      'a last day before the first',
      () => ({ memberOrganisationId: org.corp3, validFrom: '2025-05-01', validTo: '2025-04-30' }),
      ['validTo'],
    ],
    ['no member', () => ({ validFrom: '2025-05-01' }), ['memberOrganisationId']],
  ])('answers 400 naming the fields for %s, and stores nothing', async (_label, body, fields) => {
    const before = await t.count('organisation_memberships');
    const res = await start(org.allocator, body());
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('VALIDATION_FAILED');
    expect(fieldsOf(res)).toEqual(fields);
    expect(await t.count('organisation_memberships')).toBe(before);
  });

  it('ends an open-ended membership once', async () => {
    const path = `/organisations/${org.allocator}/memberships/${membership.corp1}/end`;
    const bad = await t.call('POST', path, admin, { validTo: '2026-06-31' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['validTo']);
    expect(await t.call('POST', path, admin, { validTo: '2024-12-31' })).toMatchObject({
      status: 422,
      json: { code: 'MEMBERSHIP_END_BEFORE_START' },
    });
    expect(await t.call('POST', path, admin, { validTo: '2026-06-30' })).toMatchObject({
      status: 200,
      json: { id: membership.corp1, validFrom: '2025-01-01', validTo: '2026-06-30' },
    });
    expect(await t.call('POST', path, admin, { validTo: '2026-12-31' })).toMatchObject({
      status: 409,
      json: { code: 'MEMBERSHIP_ALREADY_ENDED' },
    });
    expect(
      await t.call('POST', `/organisations/${org.collab}/memberships/${membership.corp1}/end`, admin, {
        validTo: '2026-12-31',
      }),
    ).toMatchObject({ status: 404, json: { code: 'MEMBERSHIP_NOT_FOUND' } });
  });

  it('answers which corporations are members on a date, and the full history', async () => {
    const membersOn = async (at: string) => {
      const res = await t.call('GET', `/organisations/${org.allocator}/memberships?at=${at}`, admin);
      expect(res.status).toBe(200);
      return (res.json.memberships as { memberOrganisationId: string }[])
        .map((m) => m.memberOrganisationId)
        .sort();
    };
    expect(await membersOn('2024-12-31')).toEqual([]);
    expect(await membersOn('2025-06-01')).toEqual([org.corp1, org.corp2].sort());
    expect(await membersOn('2026-02-01')).toEqual([org.corp1]); // corp2's gap
    expect(await membersOn('2026-06-30')).toEqual([org.corp1, org.corp2].sort());
    expect(await membersOn('2026-07-01')).toEqual([org.corp2]); // corp1 ended
    const history = await t.call('GET', `/organisations/${org.allocator}/memberships/history`, admin);
    expect(history.json.memberships).toHaveLength(3);
    const badAt = await t.call('GET', `/organisations/${org.allocator}/memberships?at=soon`, admin);
    expect(badAt.status).toBe(400);
    expect(fieldsOf(badAt)).toEqual(['at']);
  });

  it('records housing stock per member per date; a figure for the same date corrects it', async () => {
    const record = (body: object) =>
      t.call('POST', `/organisations/${org.allocator}/housing-stock`, admin, body);
    expect(
      await record({ memberOrganisationId: org.corp1, dwellings: 12000, effectiveFrom: '2025-01-01' }),
    ).toMatchObject({
      status: 201,
      json: { replaced: false, dwellings: 12000 },
    });
    expect(
      (await record({ memberOrganisationId: org.corp2, dwellings: 8000, effectiveFrom: '2025-01-01' }))
        .status,
    ).toBe(201);
    expect(
      (await record({ memberOrganisationId: org.corp1, dwellings: 12500, effectiveFrom: '2026-01-01' }))
        .status,
    ).toBe(201);
    expect(
      await record({ memberOrganisationId: org.corp1, dwellings: 12600, effectiveFrom: '2026-01-01' }),
    ).toMatchObject({
      status: 201,
      json: { replaced: true, dwellings: 12600 },
    });

    const before = await t.count('housing_stock');
    expect(
      await record({ memberOrganisationId: org.corp3, dwellings: 100, effectiveFrom: '2025-01-01' }),
    ).toMatchObject({
      status: 422,
      json: { code: 'NOT_A_MEMBER_AT_DATE' },
    });
    const bad = await record({
      memberOrganisationId: org.corp1,
      dwellings: -1,
      effectiveFrom: '2026-1-1',
      note: 'x',
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['dwellings', 'effectiveFrom', 'note']);
    const fractional = await record({
      memberOrganisationId: org.corp1,
      dwellings: 10.5,
      effectiveFrom: '2026-01-01',
    });
    expect(fieldsOf(fractional)).toEqual(['dwellings']);
    expect(await t.count('housing_stock')).toBe(before);

    const stockOn = (at: string) =>
      t.call('GET', `/organisations/${org.allocator}/housing-stock?at=${at}`, admin);
    expect((await stockOn('2025-06-01')).json).toMatchObject({ totalDwellings: 20000 });
    const in2026 = await stockOn('2026-04-01');
    expect(in2026.json.totalDwellings).toBe(12600 + 8000);
    expect(in2026.json.members).toEqual(
      expect.arrayContaining([
        { memberOrganisationId: org.corp1, dwellings: 12600, effectiveFrom: '2026-01-01' },
        { memberOrganisationId: org.corp2, dwellings: 8000, effectiveFrom: '2025-01-01' },
      ]),
    );
    // During corp2's gap only corp1 is a member, so only corp1 counts.
    expect((await stockOn('2026-02-01')).json).toMatchObject({ totalDwellings: 12600 });
    const history = await t.call('GET', `/organisations/${org.allocator}/housing-stock/history`, admin);
    expect(history.json.records).toHaveLength(3);
  });

  it('changes route and coordinator from a date, keeping the history', async () => {
    const change = (body: object, token = admin) =>
      t.call('POST', `/organisations/${org.collab}/route-changes`, token, body);
    // The primus inter pares changes from corp1 to corp2, once corp2 is a member …
    expect(
      (await start(org.collab, { memberOrganisationId: org.corp2, validFrom: '2026-01-01' })).status,
    ).toBe(201);
    const pip = await change({
      route: 'C',
      coordinatorOrganisationId: org.corp2,
      effectiveFrom: '2026-01-01',
    });
    expect(pip).toMatchObject({
      status: 201,
      json: {
        previous: { route: 'C', coordinatorOrganisationId: org.corp1, effectiveFrom: '2025-01-01' },
        current: { route: 'C', coordinatorOrganisationId: org.corp2, effectiveFrom: '2026-01-01' },
      },
    });
    // … then the collaboration becomes a legal allocator (route B, it coordinates itself).
    expect(await change({ route: 'B', effectiveFrom: '2026-07-01' })).toMatchObject({
      status: 201,
      json: { current: { route: 'B', coordinatorOrganisationId: org.collab } },
    });

    const before = await t.count('organisation_routes');
    const refusals: [object, number, string][] = [
      [{ route: 'B', effectiveFrom: '2026-08-01' }, 422, 'ROUTE_UNCHANGED'],
      [
        { route: 'C', coordinatorOrganisationId: org.corp1, effectiveFrom: '2026-03-01' },
        409,
        'ROUTE_CHANGE_NOT_AFTER_LATEST',
      ],
      [{ route: 'A', effectiveFrom: '2027-01-01' }, 422, 'ROUTE_NOT_ALLOWED_FOR_KIND'],
      [{ route: 'C', effectiveFrom: '2027-01-01' }, 422, 'COORDINATOR_REQUIRED'],
      [
        { route: 'C', coordinatorOrganisationId: org.allocator, effectiveFrom: '2027-01-01' },
        422,
        'COORDINATOR_NOT_A_CORPORATION',
      ],
      [
        { route: 'B', coordinatorOrganisationId: org.corp1, effectiveFrom: '2027-01-01' },
        422,
        'COORDINATOR_NOT_ALLOWED',
      ],
    ];
    for (const [body, status, code] of refusals) {
      expect(await change(body)).toMatchObject({ status, json: { code } });
    }
    const corpToB = await t.call('POST', `/organisations/${org.corp3}/route-changes`, admin, {
      route: 'B',
      effectiveFrom: '2027-01-01',
    });
    expect(corpToB).toMatchObject({ status: 422, json: { code: 'ROUTE_NOT_ALLOWED_FOR_KIND' } });
    const bad = await change({ route: 'D', effectiveFrom: '2026-02-30', coordinatorOrganisationId: 7 });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['coordinatorOrganisationId', 'effectiveFrom', 'route']);
    const coordinator = await change(
      { route: 'C', coordinatorOrganisationId: org.corp1, effectiveFrom: '2027-01-01' },
      t.token(org.collab, ['coordinator']),
    );
    expect(coordinator).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    expect(await t.count('organisation_routes')).toBe(before);

    const routeOn = (at: string) =>
      t.call('GET', `/organisations/${org.collab}/route?at=${at}`, t.token(org.corp3, ['member']));
    expect((await routeOn('2025-06-01')).json).toMatchObject({
      route: 'C',
      coordinatorOrganisationId: org.corp1,
    });
    expect((await routeOn('2026-01-01')).json).toMatchObject({
      route: 'C',
      coordinatorOrganisationId: org.corp2,
    });
    expect((await routeOn('2026-07-01')).json).toMatchObject({
      route: 'B',
      coordinatorOrganisationId: org.collab,
    });
    expect(await routeOn('2024-12-31')).toMatchObject({ status: 404, json: { code: 'ROUTE_NOT_IN_FORCE' } });

    const view = await t.call('GET', `/organisations/${org.collab}?at=2026-02-01`, admin);
    expect(view.json).toMatchObject({ at: '2026-02-01', route: 'C', coordinatorOrganisationId: org.corp2 });
    expect(view.json.routeHistory).toEqual([
      { effectiveFrom: '2025-01-01', route: 'C', coordinatorOrganisationId: org.corp1 },
      { effectiveFrom: '2026-01-01', route: 'C', coordinatorOrganisationId: org.corp2 },
      { effectiveFrom: '2026-07-01', route: 'B', coordinatorOrganisationId: org.collab },
    ]);
    const history = await t.call('GET', `/organisations/${org.collab}/route-changes`, admin);
    expect(history.json).toEqual(view.json.routeHistory);
  });

  it('scopes a caller to its own organisation plus, while it coordinates, the members', async () => {
    const scope = t.app.get(OrganisationScopeService);
    const visible = (organisationId: string, at: string) =>
      scope.visibleOrganisationIds({ organisationId }, at);
    const sorted = (...ids: string[]) => [...ids].sort();

    // A corporation on route A that coordinates nothing sees itself.
    expect(await visible(org.corp3, '2025-06-01')).toEqual([org.corp3]);
    // A route B allocator sees its members on the date.
    expect(await visible(org.allocator, '2025-06-01')).toEqual(sorted(org.allocator, org.corp1, org.corp2));
    expect(await visible(org.allocator, '2026-07-01')).toEqual(sorted(org.allocator, org.corp2));
    // The primus inter pares sees the collaboration and its members while it is PIP, not after.
    expect(await visible(org.corp1, '2025-06-01')).toEqual(sorted(org.corp1, org.collab, org.corp3));
    expect(await visible(org.corp1, '2026-02-01')).toEqual([org.corp1]);
    expect(await visible(org.corp2, '2026-02-01')).toEqual(
      sorted(org.corp2, org.collab, org.corp1, org.corp3),
    );
    // After the change to route B the collaboration coordinates itself.
    expect(await visible(org.corp2, '2026-07-01')).toEqual([org.corp2]);
    expect(await visible(org.collab, '2026-07-01')).toEqual(
      sorted(org.collab, org.corp1, org.corp2, org.corp3),
    );
    // An organisation that does not exist (e.g. a platform operator) sees only its own id.
    expect(await visible('platform', '2026-07-01')).toEqual(['platform']);
  });

  it('publishes events from which members, periods, stock and routes can be rebuilt', async () => {
    const onOrganisations = (type: string) => (e: ReceivedEvent) =>
      e.topic === 'registrationOrganisations' && e.type === `nl.divit.registration.${type}`;
    const started = await t.eventsMatching(onOrganisations('MembershipStarted'), 6);
    const ended = await t.eventsMatching(onOrganisations('MembershipEnded'), 1);
    const stock = await t.eventsMatching(onOrganisations('HousingStockRecorded'), 4);
    const routeChanged = await t.eventsMatching(onOrganisations('OrganisationRouteChanged'), 2);
    // Nothing more was published for the refused requests.
    await eventually(() => t.count('outbox_messages'), {
      description: 'the relay to empty the outbox',
      until: (n) => n === 0,
      timeoutMs: 10_000,
    });
    expect([started.length, ended.length, stock.length, routeChanged.length]).toEqual([6, 1, 4, 2]);
    for (const e of [...started, ...ended, ...stock, ...routeChanged]) {
      expect(e.key).toBe(e.value.organisationId);
      expect(e.headers.ce_type).toBe(e.type);
    }
    expect(routeChanged.map((e) => e.value)).toEqual([
      expect.objectContaining({
        organisationId: org.collab,
        previousRoute: 'C',
        newRoute: 'C',
        previousCoordinatorOrganisationId: org.corp1,
        newCoordinatorOrganisationId: org.corp2,
        effectiveFrom: '2026-01-01',
      }),
      expect.objectContaining({
        previousRoute: 'C',
        newRoute: 'B',
        previousCoordinatorOrganisationId: org.corp2,
        newCoordinatorOrganisationId: org.collab,
        effectiveFrom: '2026-07-01',
      }),
    ]);

    // Billing's projection, from the events alone: the latest event per membership id is its state;
    // the latest figure per (member, effectiveFrom) is the stock.
    const periods = new Map<
      string,
      { organisationId: string; member: string; from: string; to: string | null }
    >();
    for (const e of [...started, ...ended].filter((x) => x.value.organisationId === org.allocator)) {
      periods.set(String(e.value.membershipId), {
        organisationId: String(e.value.organisationId),
        member: String(e.value.memberOrganisationId),
        from: String(e.value.validFrom),
        to: (e.value.validTo as string | null) ?? null,
      });
    }
    const figures = new Map<string, { member: string; from: string; dwellings: number }>();
    for (const e of stock) {
      const member = String(e.value.memberOrganisationId);
      figures.set(`${member}|${String(e.value.effectiveFrom)}`, {
        member,
        from: String(e.value.effectiveFrom),
        dwellings: Number(e.value.dwellings),
      });
    }
    const rebuilt = (at: string) => {
      const members = [...periods.values()]
        .filter((p) => p.from <= at && (p.to === null || p.to >= at))
        .map((p) => p.member);
      const total = members.reduce((sum, member) => {
        const inForce = [...figures.values()]
          .filter((f) => f.member === member && f.from <= at)
          .sort((a, b) => b.from.localeCompare(a.from))[0];
        return sum + (inForce?.dwellings ?? 0);
      }, 0);
      return { members: members.sort(), total };
    };
    for (const at of ['2025-06-01', '2026-02-01', '2026-04-01', '2026-07-01']) {
      const api = await t.call('GET', `/organisations/${org.allocator}/housing-stock?at=${at}`, admin);
      const apiMembers = (api.json.members as { memberOrganisationId: string }[])
        .map((m) => m.memberOrganisationId)
        .sort();
      expect(rebuilt(at)).toEqual({ members: apiMembers, total: api.json.totalDwellings });
    }
  });
});
