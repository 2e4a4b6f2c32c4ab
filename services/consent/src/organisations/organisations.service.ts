import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  AllocationClosed,
  AllocationOfferAccepted,
  AllocationRecorded,
  MembershipEnded,
  MembershipStarted,
  OrganisationRegistered,
  OrganisationRouteChanged,
  RegistrationCreated,
  RegistrationDeregistered,
  Route,
} from '@divit/contracts';
import { amsterdamDate } from '../common/calendar-date';
import { ConsentError } from '../common/consent.errors';
import type { ControllerParty } from '../showings/showing.entity';
import { resolveControllers } from './controller-resolution';
import { OrganisationsRepository } from './organisations.repository';

export interface Controllers {
  route: Route;
  controllers: ControllerParty[];
}

/** Local projection of organisations and registrations (from registration's events), and controller resolution. */
@Injectable()
export class OrganisationsService {
  constructor(private readonly repository: OrganisationsRepository) {}

  organisationRegistered(em: EntityManager, e: OrganisationRegistered): Promise<void> {
    return this.repository.organisationRegistered(em, e);
  }

  /** A route change may arrive before the registration (other partition order is not guaranteed): kept anyway. */
  routeChanged(em: EntityManager, e: OrganisationRouteChanged): Promise<void> {
    return this.repository.routeChanged(em, e);
  }

  /** The latest event per membership id carries its full state; an end never re-opens (the shared rule). */
  membership(em: EntityManager, e: MembershipStarted | MembershipEnded): Promise<void> {
    return this.repository.membership(em, e);
  }

  registrationCreated(em: EntityManager, e: RegistrationCreated): Promise<void> {
    return this.repository.registrationCreated(em, e);
  }

  registrationDeregistered(em: EntityManager, e: RegistrationDeregistered): Promise<void> {
    return this.repository.registrationDeregistered(em, e);
  }

  allocationRecorded(em: EntityManager, e: AllocationRecorded): Promise<void> {
    return this.repository.allocationRecorded(em, e);
  }

  allocationClosed(em: EntityManager, e: AllocationClosed): Promise<void> {
    return this.repository.allocationClosed(em, e);
  }

  allocationOfferAccepted(em: EntityManager, e: AllocationOfferAccepted): Promise<void> {
    return this.repository.allocationOfferAccepted(em, e);
  }

  /**
   * The controller(s) in force for what concerns an allocation (ADR 0035): from the day of the seeker's acceptance
   * of the offered dwelling the ones registration announced with AllocationOfferAccepted (the letting corporation on
   * routes B and C); before it, and for anything not about an allocation, the organisation's (`controllersOn`).
   */
  async controllersFor(
    organisationId: string,
    allocationId: string | null,
    at: Date,
    em?: EntityManager,
  ): Promise<Controllers> {
    const allocation = allocationId ? await this.repository.allocation(allocationId, em) : null;
    if (
      allocation?.acceptedOn &&
      allocation.acceptedRoute &&
      allocation.acceptedControllerIds &&
      allocation.acceptedOn <= amsterdamDate(at)
    ) {
      const ids = allocation.acceptedControllerIds;
      const names = new Map((await this.repository.byIds(ids, em)).map((o) => [o.id, o.name]));
      return {
        route: allocation.acceptedRoute,
        controllers: ids.map((id) => ({ organisationId: id, name: names.get(id) ?? null })),
      };
    }
    return this.controllersOn(organisationId, at, em);
  }

  /**
   * The organisation whose consent records of the allocation `organisationId` may read: its own, or, once it is
   * controller from the acceptance (the letting corporation), the allocation's organisation's (ADR 0035). The
   * allocation's organisation keeps reading them (processor for the letting corporation). Null: nothing to read.
   */
  async allocationRecordsOwner(organisationId: string, allocationId: string): Promise<string | null> {
    const allocation = await this.repository.allocation(allocationId);
    if (!allocation) return organisationId;
    if (allocation.organisationId === organisationId) return organisationId;
    if (allocation.acceptedControllerIds?.includes(organisationId)) return allocation.organisationId;
    return null;
  }

  /** The allocation as registration announced it, or null when its event has not arrived (the caller refuses). */
  allocation(allocationId: string, em?: EntityManager) {
    return this.repository.allocation(allocationId, em);
  }

  /** The registration's organisation if registration's event has arrived, else undefined (the caller refuses). */
  async registrationOrganisation(registrationId: string, em?: EntityManager): Promise<string | undefined> {
    const row = await this.repository.registration(registrationId, em);
    return row?.organisationId;
  }

  /** The controller(s) named in the text and the receipt on the given moment's Amsterdam date. */
  async controllersOn(organisationId: string, at: Date, em?: EntityManager): Promise<Controllers> {
    const day = amsterdamDate(at);
    const route = await this.repository.routeOn(organisationId, day, em);
    const members = route?.route === 'C' ? await this.repository.membersOn(organisationId, day, em) : [];
    const resolved = resolveControllers(organisationId, route?.route ?? null, members);
    if (!resolved.ok) {
      throw resolved.reason === 'ROUTE_UNKNOWN'
        ? new ConsentError(
            'ORGANISATION_ROUTE_UNKNOWN',
            'the organisation has no DIV-it route (yet) on this date; its registration event may not have arrived',
            { organisationId },
          )
        : new ConsentError(
            'CONTROLLER_UNKNOWN',
            'the route C organisation has no member corporations on this date',
            {
              organisationId,
            },
          );
    }
    const named = await this.repository.byIds(resolved.controllers, em);
    const names = new Map(named.map((o) => [o.id, o.name]));
    return {
      route: resolved.route,
      controllers: resolved.controllers.map((id) => ({ organisationId: id, name: names.get(id) ?? null })),
    };
  }
}
