import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  AllocationClosed,
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
