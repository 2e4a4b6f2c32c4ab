import { controllerInForce } from './controller-in-force';

const allocator = '00000000-0000-4000-8000-00000000000a';
const letting = '00000000-0000-4000-8000-00000000000b';
const other = '00000000-0000-4000-8000-00000000000c';
const open = { organisationId: allocator, lettingCorporationId: letting, acceptedOn: null };
const accepted = { ...open, acceptedOn: '2026-03-02' };

describe('controllerInForce', () => {
  it('route A: the corporation, also after acceptance', () => {
    const corporation = { ...accepted, organisationId: letting };
    expect(controllerInForce(corporation, 'A', [], '2026-04-01')).toEqual({
      route: 'A',
      basis: 'ROUTE_A_CORPORATION',
      organisationIds: [letting],
      joint: false,
    });
  });

  it('route B: the housing allocator until acceptance, the letting corporation from the day of acceptance', () => {
    expect(controllerInForce(open, 'B', [letting], '2026-03-02')?.organisationIds).toEqual([allocator]);
    expect(controllerInForce(accepted, 'B', [letting], '2026-03-01')).toMatchObject({
      basis: 'ROUTE_B_HOUSING_ALLOCATOR',
      organisationIds: [allocator],
    });
    expect(controllerInForce(accepted, 'B', [letting], '2026-03-02')).toEqual({
      route: 'B',
      basis: 'LETTING_CORPORATION_FROM_ACCEPTANCE',
      organisationIds: [letting],
      joint: false,
    });
  });

  it('route C: the members jointly (sorted, once each) until acceptance, then the letting corporation', () => {
    expect(controllerInForce(open, 'C', [other, letting, other], '2026-03-02')).toEqual({
      route: 'C',
      basis: 'ROUTE_C_MEMBERS_JOINTLY',
      organisationIds: [letting, other],
      joint: true,
    });
    expect(controllerInForce(accepted, 'C', [other, letting], '2026-03-05')).toMatchObject({
      basis: 'LETTING_CORPORATION_FROM_ACCEPTANCE',
      organisationIds: [letting],
    });
  });

  it('no route in force: no controller', () => {
    expect(controllerInForce(open, null, [], '2026-03-02')).toBeNull();
  });
});
