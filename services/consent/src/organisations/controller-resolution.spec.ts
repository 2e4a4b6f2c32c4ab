import { resolveControllers } from './controller-resolution';

const org = 'org';
describe('resolveControllers', () => {
  const routes = [
    { route: 'A' as const, coordinatorOrganisationId: null, effectiveFrom: '2024-01-01', seq: 1 },
    { route: 'B' as const, coordinatorOrganisationId: org, effectiveFrom: '2025-03-01', seq: 2 },
    { route: 'C' as const, coordinatorOrganisationId: 'm1', effectiveFrom: '2025-06-01', seq: 3 },
  ];
  const memberships = [
    { memberOrganisationId: 'm2', validFrom: '2024-01-01', validTo: null },
    { memberOrganisationId: 'm1', validFrom: '2024-01-01', validTo: '2025-12-31' },
    { memberOrganisationId: 'm3', validFrom: '2026-01-01', validTo: null },
  ];

  it('follows the effective-dated route: A the corporation, B the allocator, C the members jointly', () => {
    expect(resolveControllers(org, '2024-06-01', routes, memberships)).toEqual({
      ok: true,
      route: 'A',
      controllers: [org],
    });
    expect(resolveControllers(org, '2025-03-01', routes, memberships)).toEqual({
      ok: true,
      route: 'B',
      controllers: [org],
    });
    expect(resolveControllers(org, '2025-07-01', routes, memberships)).toEqual({
      ok: true,
      route: 'C',
      controllers: ['m1', 'm2'],
    });
    expect(resolveControllers(org, '2026-02-01', routes, memberships)).toEqual({
      ok: true,
      route: 'C',
      controllers: ['m2', 'm3'],
    });
  });

  it('uses the later recorded change when two take effect on the same day', () => {
    const same = [
      ...routes,
      { route: 'A' as const, coordinatorOrganisationId: null, effectiveFrom: '2025-06-01', seq: 4 },
    ];
    expect(resolveControllers(org, '2025-06-01', same, memberships)).toMatchObject({ route: 'A' });
  });

  it('says when the route is not known yet or a route C organisation has no members', () => {
    expect(resolveControllers(org, '2023-01-01', routes, memberships)).toEqual({
      ok: false,
      reason: 'ROUTE_UNKNOWN',
    });
    expect(resolveControllers(org, '2025-07-01', routes, [])).toEqual({ ok: false, reason: 'NO_MEMBERS' });
  });
});
