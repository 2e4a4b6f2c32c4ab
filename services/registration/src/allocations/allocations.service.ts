import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AccessLogService } from '@divit/access-log';
import type { AllocationOutcome } from '@divit/contracts';
import type { Principal } from '@divit/service-kit';
import { todayInAmsterdam } from '../common/calendar-date';
import type { EntityManager } from 'typeorm';
import { OrganisationDirectory, OrganisationScopeService } from '../organisations/organisation-scope.service';
import { AllocationError } from './allocations.errors';
import { AllocationEvents } from './allocation.events';
import {
  AllocatedRegistration,
  AllocationRow,
  AllocationsRepository,
  StoredAllocationRow,
} from './allocations.repository';
import { AllocationControllerFacts, controllerInForce } from './controller-in-force';
import { RecordAllocationDto } from './dto/record-allocation.dto';
import {
  AllocationAcceptanceView,
  AllocationClosureView,
  AllocationMemberView,
  AllocationView,
  ControllerView,
} from './dto/allocation-view.dto';
import { composeHousehold } from './household';
import { liberalisationLimitOn } from './rent/liberalisation-limit';

export type { AllocationAcceptanceView, AllocationClosureView, AllocationMemberView, AllocationView };

/** Roles that may see the co-residents' stated surname and birth date (they supplied them). */
const IDENTITY_ROLES = new Set<Principal['roles'][number]>(['admin', 'allocation-system']);

@Injectable()
export class AllocationsService {
  constructor(
    private readonly repository: AllocationsRepository,
    private readonly events: AllocationEvents,
    private readonly scope: OrganisationScopeService,
    private readonly organisations: OrganisationDirectory,
    private readonly accessLog: AccessLogService,
  ) {}

  /**
   * Records an allocation from the allocation system and publishes AllocationRecorded (pseudonymous) and,
   * per adult co-resident of a household that is not exempted, CoResidentIdentityProvided (short-retention
   * topic), in one transaction.
   */
  async record(principal: Principal, input: RecordAllocationDto): Promise<AllocationView> {
    const registration = await this.visibleRegistration(principal, input.registrationId);
    assertSocialRent(input.monthlyRentCents, input.leaseStartDate);
    await this.assertLettingCorporation(
      registration.organisationId,
      input.lettingCorporationId,
      input.leaseStartDate,
    );

    const allocation: AllocationRow = {
      id: randomUUID(),
      registrationId: registration.id,
      organisationId: registration.organisationId,
      lettingCorporationId: input.lettingCorporationId,
      dwellingReference: input.dwellingReference,
      monthlyRentCents: input.monthlyRentCents,
      leaseStartDate: input.leaseStartDate,
      exemptionGroup: input.exemptionGroup ?? null,
      members: composeHousehold(registration.birthDate, input.coResidents, input.leaseStartDate),
    };
    const exists = () =>
      new AllocationError(
        'ALLOCATION_EXISTS',
        'This dwelling is already allocated by this corporation with this lease start date.',
      );
    await this.repository.transaction(async (tx) => {
      if (await this.repository.dwellingLeaseTaken(tx, allocation)) throw exists();
      if ((await this.repository.insert(tx, allocation)) === 'exists') throw exists();
      const occurredAt = Date.now();
      await this.events.recorded(tx, {
        allocationId: allocation.id,
        registrationId: allocation.registrationId,
        organisationId: allocation.organisationId,
        lettingCorporationId: allocation.lettingCorporationId,
        leaseStartDate: allocation.leaseStartDate,
        monthlyRentCents: allocation.monthlyRentCents,
        exemptionGroup: allocation.exemptionGroup,
        members: allocation.members.map((m) => ({ memberId: m.id, role: m.role, adult: m.adult })),
        occurredAt,
      });
      await this.accessLog.record(
        {
          principal,
          action: 'ALLOCATION_RECORDED',
          resourceType: 'allocation',
          resourceId: allocation.id,
          organisationId: allocation.organisationId,
          registrationId: allocation.registrationId,
          allocationId: allocation.id,
          purpose: 'ALLOCATION',
        },
        tx,
      );
      // An exempted household gets no digital procedure, so its co-residents' names and birth dates go nowhere
      // (issue 16 item 4): consent and identity-validation refuse to start one for it anyway.
      await this.events.coResidentIdentities(
        tx,
        allocation.members.flatMap((m) =>
          allocation.exemptionGroup === null &&
          m.role === 'CO_RESIDENT' &&
          m.adult &&
          m.surname &&
          m.birthDate
            ? [
                {
                  memberId: m.id,
                  allocationId: allocation.id,
                  surnamePrefix: m.surnamePrefix,
                  surname: m.surname,
                  birthDate: m.birthDate,
                  occurredAt,
                },
              ]
            : [],
        ),
      );
    });
    const stored = { ...allocation, acceptedOn: null, acceptedAt: null };
    return toView(stored, true, await this.controllerOn(stored, todayInAmsterdam()));
  }

  /**
   * Closes an allocation (lease signed, or ended without a lease) and publishes AllocationClosed in the same
   * transaction. Idempotent: the same outcome again answers the first closure; another outcome is a conflict.
   */
  async close(principal: Principal, id: string, outcome: AllocationOutcome): Promise<AllocationClosureView> {
    const notFound = () => new AllocationError('ALLOCATION_NOT_FOUND', 'No such allocation.');
    return this.repository.transaction(async (tx) => {
      const allocation = await this.repository.closureForUpdate(tx, id);
      if (!allocation) throw notFound();
      const visible = await this.scope.visibleOrganisationIds(principal, todayInAmsterdam(), tx);
      if (!visible.includes(allocation.organisationId) && !visible.includes(allocation.lettingCorporationId))
        throw notFound();
      if (allocation.closedOutcome && allocation.closedAt) {
        if (allocation.closedOutcome !== outcome) {
          throw new AllocationError(
            'ALLOCATION_ALREADY_CLOSED',
            'The allocation was closed with another outcome.',
            {
              outcome: allocation.closedOutcome,
            },
          );
        }
        return { allocationId: id, outcome, closedAt: allocation.closedAt.toISOString() };
      }
      const closedAt = new Date();
      await this.repository.close(tx, id, outcome, closedAt);
      await this.events.closed(tx, {
        allocationId: id,
        registrationId: allocation.registrationId,
        organisationId: allocation.organisationId,
        outcome,
        closedAt: closedAt.getTime(),
      });
      await this.accessLog.record(
        {
          principal,
          action: 'ALLOCATION_CLOSED',
          resourceType: 'allocation',
          resourceId: id,
          organisationId: allocation.organisationId,
          registrationId: allocation.registrationId,
          allocationId: id,
          purpose: 'ALLOCATION',
          changedFields: ['closedOutcome', 'closedAt'],
          changedValues: {
            closedOutcome: { from: null, to: outcome },
            closedAt: { from: null, to: closedAt.toISOString() },
          },
        },
        tx,
      );
      return { allocationId: id, outcome, closedAt: closedAt.toISOString() };
    });
  }

  /** An allocation visible to the caller (its organisation or letting corporation is in the caller's scope). */
  async get(principal: Principal, id: string): Promise<AllocationView> {
    const allocation = await this.repository.find(id);
    const notFound = () => new AllocationError('ALLOCATION_NOT_FOUND', 'No such allocation.');
    if (!allocation) throw notFound();
    const visible = await this.scope.visibleOrganisationIds(principal, todayInAmsterdam());
    if (!visible.includes(allocation.organisationId) && !visible.includes(allocation.lettingCorporationId)) {
      throw notFound();
    }
    const withIdentities = principal.roles.some((r) => IDENTITY_ROLES.has(r));
    // Every read of personal data is logged; the view holds stated identities only for IDENTITY_ROLES.
    await this.accessLog.record({
      principal,
      action: 'ALLOCATION_READ',
      resourceType: 'allocation',
      resourceId: allocation.id,
      organisationId: allocation.organisationId,
      registrationId: allocation.registrationId,
      allocationId: allocation.id,
      purpose: 'ALLOCATION',
    });
    return toView(allocation, withIdentities, await this.controllerOn(allocation, todayInAmsterdam()));
  }

  /**
   * Records that the home seeker accepted the dwelling offered with this allocation (the allocation system reports
   * it) and publishes AllocationOfferAccepted with the controller before and from the acceptance, in one
   * transaction (ADR 0035). Only the allocating organisation's side records it: the caller must act for the
   * registration's organisation or coordinate it (the route B housing allocator, the route C primus inter pares);
   * the letting corporation, which becomes controller by it, cannot declare it alone. The letting corporation is
   * the allocation's own and must still be a member of a route B/C organisation on the day of acceptance.
   * Idempotent: the same day again answers the first acceptance; another day is a conflict.
   */
  async accept(principal: Principal, id: string, acceptedOn: string): Promise<AllocationAcceptanceView> {
    const notFound = () => new AllocationError('ALLOCATION_NOT_FOUND', 'No such allocation.');
    return this.repository.transaction(async (tx) => {
      const allocation = await this.repository.acceptanceForUpdate(tx, id);
      if (!allocation) throw notFound();
      const visible = await this.scope.visibleOrganisationIds(principal, todayInAmsterdam(), tx);
      if (!visible.includes(allocation.organisationId)) {
        if (!visible.includes(allocation.lettingCorporationId)) throw notFound();
        throw new AllocationError(
          'ACCEPTANCE_BY_ALLOCATING_ORGANISATION_ONLY',
          "The acceptance is recorded by the registration's organisation (or its coordinator), not by the letting corporation.",
        );
      }
      if (allocation.acceptedOn !== null && allocation.acceptedAt !== null) {
        if (allocation.acceptedOn !== acceptedOn) {
          throw new AllocationError(
            'ALLOCATION_ALREADY_ACCEPTED',
            'The acceptance of this allocation was recorded with another day.',
            { acceptedOn: allocation.acceptedOn },
          );
        }
        return this.acceptanceView(allocation, allocation.acceptedOn, allocation.acceptedAt, tx);
      }
      if (allocation.closedOutcome === 'ENDED_WITHOUT_LEASE') {
        throw new AllocationError(
          'ALLOCATION_ALREADY_CLOSED',
          'The allocation ended without a lease: there is no offer left to accept.',
          { outcome: allocation.closedOutcome },
        );
      }
      const recordedOn = todayInAmsterdam(allocation.recordedAt);
      if (acceptedOn < recordedOn) {
        throw new AllocationError(
          'ACCEPTANCE_BEFORE_ALLOCATION',
          'The offer can only be accepted from the day the allocation was recorded.',
          { recordedOn },
        );
      }
      const route = await this.organisations.routeOn(allocation.organisationId, acceptedOn, tx);
      if (!route) {
        throw new AllocationError(
          'NO_ROUTE_AT_ACCEPTANCE',
          "The registration's organisation has no DIV-it route in force on the day of acceptance.",
        );
      }
      if (
        route.route !== 'A' &&
        !(await this.organisations.isMemberOn(
          allocation.organisationId,
          allocation.lettingCorporationId,
          acceptedOn,
          tx,
        ))
      ) {
        throw new AllocationError(
          'LETTING_CORPORATION_NOT_A_MEMBER',
          `On route ${route.route} the controller passes at acceptance to the letting corporation, which must be a member of the registration's organisation on the day of acceptance.`,
          { route: route.route },
        );
      }
      const acceptedAt = new Date();
      await this.repository.accept(tx, id, acceptedOn, acceptedAt);
      const view = await this.acceptanceView(allocation, acceptedOn, acceptedAt, tx);
      await this.events.offerAccepted(tx, {
        allocationId: id,
        registrationId: allocation.registrationId,
        organisationId: allocation.organisationId,
        lettingCorporationId: allocation.lettingCorporationId,
        route: view.controller.route,
        acceptedOn,
        previousControllerOrganisationIds: view.previousController.organisationIds,
        controllerOrganisationIds: view.controller.organisationIds,
        occurredAt: acceptedAt.getTime(),
      });
      await this.accessLog.record(
        {
          principal,
          action: 'ALLOCATION_OFFER_ACCEPTED',
          resourceType: 'allocation',
          resourceId: id,
          organisationId: allocation.organisationId,
          registrationId: allocation.registrationId,
          allocationId: id,
          purpose: 'ALLOCATION',
          changedFields: ['acceptedOn', 'acceptedAt'],
          changedValues: {
            acceptedOn: { from: null, to: acceptedOn },
            acceptedAt: { from: null, to: acceptedAt.toISOString() },
          },
        },
        tx,
      );
      return view;
    });
  }

  /** The controller in force on `at` (null without a route then): one rule, `controllerInForce`. */
  private async controllerOn(
    allocation: AllocationControllerFacts,
    at: string,
    tx?: EntityManager,
  ): Promise<ControllerView | null> {
    const route = await this.organisations.routeOn(allocation.organisationId, at, tx);
    const members =
      route?.route === 'C' ? await this.organisations.membersOn(allocation.organisationId, at, tx) : [];
    const controller = controllerInForce(allocation, route?.route ?? null, members, at);
    return controller ? { at, ...controller } : null;
  }

  private async acceptanceView(
    allocation: Omit<AllocationControllerFacts, 'acceptedOn'> & { id: string },
    acceptedOn: string,
    acceptedAt: Date,
    tx: EntityManager,
  ): Promise<AllocationAcceptanceView> {
    // Before: the rule on the day of acceptance as if not accepted (its route and members of that day).
    const previousController = await this.controllerOn({ ...allocation, acceptedOn: null }, acceptedOn, tx);
    const controller = await this.controllerOn({ ...allocation, acceptedOn }, acceptedOn, tx);
    if (!previousController || !controller) throw new Error('acceptance without a route in force');
    return {
      allocationId: allocation.id,
      lettingCorporationId: allocation.lettingCorporationId,
      acceptedOn,
      acceptedAt: acceptedAt.toISOString(),
      previousController,
      controller,
    };
  }

  private async visibleRegistration(
    principal: Principal,
    registrationId: string,
  ): Promise<AllocatedRegistration> {
    const registration = await this.repository.registration(registrationId);
    // Out of the caller's scope reads as unknown: the caller learns nothing about other organisations.
    if (
      !registration ||
      !(await this.scope.canSee(principal, registration.organisationId, todayInAmsterdam()))
    ) {
      throw new AllocationError(
        'ALLOCATED_REGISTRATION_UNKNOWN',
        'No registration with this id is visible to the caller.',
      );
    }
    if (!registration.active) {
      throw new AllocationError('ALLOCATED_REGISTRATION_NOT_ACTIVE', 'The registration is deregistered.');
    }
    return registration;
  }

  /**
   * The letting corporation must be a corporation. Route A: it is the registration's organisation itself.
   * Route B/C: it is a member of the registration's organisation on the lease start date.
   */
  private async assertLettingCorporation(
    organisationId: string,
    lettingId: string,
    leaseStart: string,
  ): Promise<void> {
    const kind = await this.organisations.kindOf(lettingId);
    if (!kind) {
      throw new AllocationError('LETTING_CORPORATION_UNKNOWN', 'The letting corporation is not registered.');
    }
    if (kind !== 'CORPORATION') {
      throw new AllocationError(
        'LETTING_CORPORATION_NOT_A_CORPORATION',
        'Dwellings are let by a corporation, not by a collaboration or allocator.',
        { kind },
      );
    }
    const route = await this.organisations.routeOn(organisationId, leaseStart);
    if (!route) {
      throw new AllocationError(
        'NO_ROUTE_AT_LEASE_START',
        "The registration's organisation has no DIV-it route in force on the lease start date.",
      );
    }
    switch (route.route) {
      case 'A':
        if (lettingId !== organisationId) {
          throw new AllocationError(
            'LETTING_CORPORATION_NOT_THE_ORGANISATION',
            'On route A the corporation allocates alone: it must let the dwelling itself.',
          );
        }
        return;
      case 'B':
      case 'C':
        if (!(await this.organisations.isMemberOn(organisationId, lettingId, leaseStart))) {
          throw new AllocationError(
            'LETTING_CORPORATION_NOT_A_MEMBER',
            `On route ${route.route} the letting corporation must be a member of the registration's organisation on the lease start date.`,
            { route: route.route },
          );
        }
        return;
    }
  }
}

function toView(
  allocation: StoredAllocationRow,
  withIdentity: boolean,
  controller: ControllerView | null,
): AllocationView {
  return {
    allocationId: allocation.id,
    registrationId: allocation.registrationId,
    organisationId: allocation.organisationId,
    lettingCorporationId: allocation.lettingCorporationId,
    dwellingReference: allocation.dwellingReference,
    monthlyRentCents: allocation.monthlyRentCents,
    leaseStartDate: allocation.leaseStartDate,
    exemptionGroup: allocation.exemptionGroup,
    incomeTestRequired: allocation.exemptionGroup === null,
    members: allocation.members.map((m) => ({
      memberId: m.id,
      role: m.role,
      adult: m.adult,
      ...(withIdentity && m.surname && m.birthDate
        ? { statedIdentity: { surnamePrefix: m.surnamePrefix, surname: m.surname, birthDate: m.birthDate } }
        : {}),
    })),
    acceptedOn: allocation.acceptedOn,
    controller,
  };
}

const euro = (cents: number): string => `EUR ${(cents / 100).toFixed(2)}`;

/**
 * DIV-it is only for the income test of social rental dwellings (seed 001, "Sociale verhuur"): a rent above the
 * liberalisation limit in force on the lease start is refused (422), nothing recorded or published.
 */
function assertSocialRent(monthlyRentCents: number, leaseStartDate: string): void {
  const limit = liberalisationLimitOn(leaseStartDate);
  if (!limit || monthlyRentCents <= limit.limitCents) return;
  throw new AllocationError(
    'RENT_ABOVE_LIBERALISATION_LIMIT',
    `DIV-it is only for the income test of social rental dwellings: the monthly rent ${euro(monthlyRentCents)} is above the liberalisation limit ${euro(limit.limitCents)} in force from ${limit.validFrom}${limit.latest ? ' (the latest known limit)' : ''}.`,
  );
}
