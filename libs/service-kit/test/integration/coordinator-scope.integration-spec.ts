import { randomUUID } from 'node:crypto';
import { createTestDatabase, postgresOptions, TestDatabase } from '@divit/persistence';
import {
  OrganisationScope,
  OrganisationScopeEvent,
  organisationScopeMigrations,
} from '../../src/auth/coordinator-scope';

/** An event as the consumer hands it over (only type and value matter to the projection). */
function event<E extends OrganisationScopeEvent>(type: E['type'], value: E['value']): OrganisationScopeEvent {
  return {
    type,
    value,
    id: randomUUID(),
    key: null,
    source: '/divit/registration',
    time: new Date(),
    topic: 'divit.registration.organisations.v1',
    partition: 0,
    offset: '0',
    headers: {},
  } as OrganisationScopeEvent;
}

const registered = (organisationId: string, route: 'A' | 'B' | 'C', coordinator: string | null) =>
  event('nl.divit.registration.OrganisationRegistered', {
    organisationId,
    name: 'x',
    kind: route === 'A' ? 'CORPORATION' : route === 'B' ? 'HOUSING_ALLOCATOR' : 'COLLABORATION',
    route,
    coordinatorOrganisationId: coordinator,
    effectiveFrom: '2025-01-01',
    occurredAt: Date.now(),
  });

const membership = (
  type: 'nl.divit.registration.MembershipStarted' | 'nl.divit.registration.MembershipEnded',
  m: { organisationId: string; membershipId: string; memberOrganisationId: string; validFrom: string },
  validTo: string | null,
) => event(type, { ...m, validTo, occurredAt: Date.now() });

/**
 * The shared coordinator-scope projection on a real PostgreSQL database built by its migration: registration's
 * rule (docs/adr/0018) on chosen dates, and idempotence under redelivery and late starts.
 */
describe('OrganisationScope (real PostgreSQL)', () => {
  const scope = new OrganisationScope();
  let db: TestDatabase;
  const allocator = randomUUID();
  const member = randomUUID();
  const other = randomUUID();
  const collaboration = randomUUID();
  const pip = randomUUID();
  const collaborationMember = randomUUID();
  const m1 = {
    organisationId: allocator,
    membershipId: randomUUID(),
    memberOrganisationId: member,
    validFrom: '2025-03-01',
  };

  beforeAll(async () => {
    db = await createTestDatabase({
      prefix: 'orgscope',
      options: postgresOptions({
        host: '127.0.0.1',
        port: 5432,
        database: 'unused',
        username: 'postgres',
        entities: [],
        migrations: organisationScopeMigrations,
      }),
    });
    const em = db.dataSource.manager;
    for (const e of [
      registered(allocator, 'B', allocator),
      registered(member, 'A', null),
      registered(other, 'A', null),
      registered(collaboration, 'C', pip),
      registered(pip, 'A', null),
      membership('nl.divit.registration.MembershipStarted', m1, null),
      membership(
        'nl.divit.registration.MembershipStarted',
        {
          organisationId: collaboration,
          membershipId: randomUUID(),
          memberOrganisationId: collaborationMember,
          validFrom: '2025-01-01',
        },
        null,
      ),
    ])
      await scope.apply(em, e);
  });
  afterAll(() => db?.drop());

  const visible = (organisationId: string, at: string) =>
    scope.visibleOrganisationIds(db.dataSource.manager, { organisationId }, at);

  it('a route B allocator acts for itself and its members in force on the date, not before the first day', async () => {
    expect(await visible(allocator, '2025-03-01')).toEqual([allocator, member].sort());
    expect(await visible(allocator, '2025-02-28')).toEqual([allocator]);
    // A member and a stranger act for themselves only (membership is one-way).
    expect(await visible(member, '2025-06-01')).toEqual([member]);
    expect(await visible(other, '2025-06-01')).toEqual([other]);
  });

  it('a route C primus inter pares acts for the collaboration and its members; the platform operator for none', async () => {
    expect(await visible(pip, '2025-06-01')).toEqual([pip, collaboration, collaborationMember].sort());
    expect(await visible(collaborationMember, '2025-06-01')).toEqual([collaborationMember]);
    expect(await scope.visibleOrganisationIds(db.dataSource.manager, { organisationId: 'platform' })).toEqual(
      ['platform'],
    );
  });

  it('an ended membership stops on the day after its last day; a redelivered start never re-opens it', async () => {
    const em = db.dataSource.manager;
    await scope.apply(em, membership('nl.divit.registration.MembershipEnded', m1, '2025-09-30'));
    expect(await visible(allocator, '2025-09-30')).toContain(member);
    expect(await visible(allocator, '2025-10-01')).toEqual([allocator]);
    await scope.apply(em, membership('nl.divit.registration.MembershipStarted', m1, null));
    await scope.apply(em, membership('nl.divit.registration.MembershipEnded', m1, '2025-09-30'));
    expect(await visible(allocator, '2025-10-01')).toEqual([allocator]);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM organisation_memberships`)).toEqual([
      { n: 2 },
    ]);
  });

  it('a route change to A ends the coordination from its effective date', async () => {
    const em = db.dataSource.manager;
    const change = event('nl.divit.registration.OrganisationRouteChanged', {
      organisationId: collaboration,
      previousRoute: 'C',
      newRoute: 'A',
      previousCoordinatorOrganisationId: pip,
      newCoordinatorOrganisationId: null,
      effectiveFrom: '2026-01-01',
      occurredAt: Date.now(),
    });
    await scope.apply(em, change);
    await scope.apply(em, change); // redelivered: same row
    expect(await visible(pip, '2025-12-31')).toEqual([pip, collaboration, collaborationMember].sort());
    expect(await visible(pip, '2026-01-01')).toEqual([pip]);
    expect(
      await db.dataSource.query(
        `SELECT count(*)::int AS n FROM organisation_routes WHERE organisation_id = $1`,
        [collaboration],
      ),
    ).toEqual([{ n: 2 }]);
  });
});
