import { resolveControllers } from './controller-resolution';

const org = 'org';
describe('resolveControllers', () => {
  it('route A: the corporation, B: the allocator, C: the members jointly (sorted, once each)', () => {
    expect(resolveControllers(org, 'A', [])).toEqual({ ok: true, route: 'A', controllers: [org] });
    expect(resolveControllers(org, 'B', ['m1'])).toEqual({ ok: true, route: 'B', controllers: [org] });
    expect(resolveControllers(org, 'C', ['m2', 'm1', 'm2'])).toEqual({
      ok: true,
      route: 'C',
      controllers: ['m1', 'm2'],
    });
  });

  it('says when the route is not known yet or a route C organisation has no members', () => {
    expect(resolveControllers(org, null, ['m1'])).toEqual({ ok: false, reason: 'ROUTE_UNKNOWN' });
    expect(resolveControllers(org, 'C', [])).toEqual({ ok: false, reason: 'NO_MEMBERS' });
  });
});
