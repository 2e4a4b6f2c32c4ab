import type { OrganisationKind, Route } from '@divit/contracts';

/**
 * Answers to the DIV-it decision tree ("welke route past bij ons?", Aedes DIV-it 1.2.2 implementation
 * routes). A party that is neither a corporation nor a collaboration of corporations with allocation as
 * its aim cannot use DIV-it at all.
 */
export interface RouteAnswers {
  /** Is the party a woningcorporatie (toegelaten instelling)? */
  isHousingCorporation: boolean;
  /** Does the corporation allocate its dwellings itself, outside any collaboration? */
  allocatesAlone: boolean;
  /** Is the party a collaboration of corporations (samenwerkingsverband) with allocation as its aim? */
  isCollaborationWithAllocationAim: boolean;
  /**
   * The tree's own question: is that collaboration a woonruimteverdeler in the sense of the Woningwet (seed 000)?
   * Yes: route B; no: route C. Legal personality does not decide it.
   */
  collaborationIsWoonruimteverdeler: boolean;
}

export type RouteDecision =
  | {
      eligible: true;
      route: Route;
      kind: OrganisationKind;
      coordinator: 'SELF' | 'PRIMUS_INTER_PARES' | 'NONE';
    }
  | { eligible: false; reason: RouteRefusal };

export type RouteRefusal =
  'NOT_A_CORPORATION_OR_ALLOCATION_COLLABORATION' | 'CORPORATION_ALLOCATES_THROUGH_COLLABORATION';

export const routeRefusalText: Record<RouteRefusal, string> = {
  NOT_A_CORPORATION_OR_ALLOCATION_COLLABORATION:
    'DIV-it may only be used by a housing corporation or by a collaboration of corporations that has allocation as its aim.',
  CORPORATION_ALLOCATES_THROUGH_COLLABORATION:
    'A corporation that does not allocate alone takes part through its collaboration: register the collaboration (route B or C) and the corporation as its member.',
};

/** The decision tree, as a pure function: every branch is covered by unit tests. */
export function decideRoute(answers: RouteAnswers): RouteDecision {
  if (answers.isCollaborationWithAllocationAim) {
    return answers.collaborationIsWoonruimteverdeler
      ? { eligible: true, route: 'B', kind: 'HOUSING_ALLOCATOR', coordinator: 'SELF' }
      : { eligible: true, route: 'C', kind: 'COLLABORATION', coordinator: 'PRIMUS_INTER_PARES' };
  }
  if (answers.isHousingCorporation) {
    return answers.allocatesAlone
      ? { eligible: true, route: 'A', kind: 'CORPORATION', coordinator: 'NONE' }
      : { eligible: false, reason: 'CORPORATION_ALLOCATES_THROUGH_COLLABORATION' };
  }
  return { eligible: false, reason: 'NOT_A_CORPORATION_OR_ALLOCATION_COLLABORATION' };
}
