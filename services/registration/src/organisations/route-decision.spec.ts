import { decideRoute, RouteAnswers } from './route-decision';

const no: RouteAnswers = {
  isHousingCorporation: false,
  allocatesAlone: false,
  isCollaborationWithAllocationAim: false,
  collaborationIsWoonruimteverdeler: false,
};

describe('decideRoute (DIV-it decision tree)', () => {
  it('route A: a corporation that allocates alone, no coordinator', () => {
    expect(decideRoute({ ...no, isHousingCorporation: true, allocatesAlone: true })).toEqual({
      eligible: true,
      route: 'A',
      kind: 'CORPORATION',
      coordinator: 'NONE',
    });
  });

  it('route B: a collaboration with allocation as aim that is a legal woonruimteverdeler coordinates itself', () => {
    expect(
      decideRoute({ ...no, isCollaborationWithAllocationAim: true, collaborationIsWoonruimteverdeler: true }),
    ).toEqual({
      eligible: true,
      route: 'B',
      kind: 'HOUSING_ALLOCATOR',
      coordinator: 'SELF',
    });
  });

  it('route C: a collaboration that is not a woonruimteverdeler under the Woningwet needs a primus inter pares', () => {
    expect(decideRoute({ ...no, isCollaborationWithAllocationAim: true })).toEqual({
      eligible: true,
      route: 'C',
      kind: 'COLLABORATION',
      coordinator: 'PRIMUS_INTER_PARES',
    });
  });

  it('refuses a corporation that allocates through a collaboration, with the reason', () => {
    expect(decideRoute({ ...no, isHousingCorporation: true })).toEqual({
      eligible: false,
      reason: 'CORPORATION_ALLOCATES_THROUGH_COLLABORATION',
    });
  });

  it('refuses a party that is neither a corporation nor an allocation collaboration', () => {
    expect(decideRoute(no)).toEqual({
      eligible: false,
      reason: 'NOT_A_CORPORATION_OR_ALLOCATION_COLLABORATION',
    });
    // "allocates alone" or "legal allocator" alone do not make a party eligible.
    expect(
      decideRoute({ ...no, allocatesAlone: true, collaborationIsWoonruimteverdeler: true }).eligible,
    ).toBe(false);
  });
});
