import { planRouteChange, RouteSetting } from './route-change';

const org = '11111111-1111-4111-8111-111111111111';
const pip = '22222222-2222-4222-8222-222222222222';
const otherPip = '33333333-3333-4333-8333-333333333333';
const routeC: RouteSetting = { route: 'C', coordinatorOrganisationId: pip };
const routeB: RouteSetting = { route: 'B', coordinatorOrganisationId: org };
const routeA: RouteSetting = { route: 'A', coordinatorOrganisationId: null };

describe('planRouteChange', () => {
  it('a collaboration moves from C to B and then coordinates itself', () => {
    expect(planRouteChange(org, 'COLLABORATION', routeC, { route: 'B' })).toEqual({ ok: true, next: routeB });
  });

  it('a collaboration changes its primus inter pares (route stays C)', () => {
    expect(
      planRouteChange(org, 'COLLABORATION', routeC, { route: 'C', coordinatorOrganisationId: otherPip }),
    ).toEqual({ ok: true, next: { route: 'C', coordinatorOrganisationId: otherPip } });
  });

  it('a housing allocator moves from B to C with a primus inter pares', () => {
    expect(
      planRouteChange(org, 'HOUSING_ALLOCATOR', routeB, { route: 'C', coordinatorOrganisationId: pip }),
    ).toEqual({ ok: true, next: routeC });
  });

  it.each([
    ['a corporation to B', 'CORPORATION', routeA, { route: 'B' }],
    ['a corporation to C', 'CORPORATION', routeA, { route: 'C', coordinatorOrganisationId: pip }],
    ['a collaboration to A', 'COLLABORATION', routeC, { route: 'A' }],
    ['a housing allocator to A', 'HOUSING_ALLOCATOR', routeB, { route: 'A' }],
  ] as const)('refuses %s: the route does not fit the kind', (_label, kind, current, requested) => {
    expect(planRouteChange(org, kind, current, requested)).toMatchObject({
      ok: false,
      refusal: 'ROUTE_NOT_ALLOWED_FOR_KIND',
    });
  });

  it('refuses route C without a primus inter pares', () => {
    expect(planRouteChange(org, 'HOUSING_ALLOCATOR', routeB, { route: 'C' })).toMatchObject({
      ok: false,
      refusal: 'COORDINATOR_REQUIRED',
    });
  });

  it('refuses a separate coordinator for route B (and A)', () => {
    expect(
      planRouteChange(org, 'COLLABORATION', routeC, { route: 'B', coordinatorOrganisationId: pip }),
    ).toMatchObject({ ok: false, refusal: 'COORDINATOR_NOT_ALLOWED' });
    expect(
      planRouteChange(org, 'CORPORATION', routeA, { route: 'A', coordinatorOrganisationId: pip }),
    ).toMatchObject({ ok: false, refusal: 'COORDINATOR_NOT_ALLOWED' });
  });

  it('refuses a change that changes nothing', () => {
    expect(planRouteChange(org, 'CORPORATION', routeA, { route: 'A' })).toMatchObject({
      ok: false,
      refusal: 'ROUTE_UNCHANGED',
    });
    expect(
      planRouteChange(org, 'COLLABORATION', routeC, { route: 'C', coordinatorOrganisationId: pip }),
    ).toMatchObject({ ok: false, refusal: 'ROUTE_UNCHANGED' });
  });
});
