import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { OrganisationScope } from '@divit/service-kit';
import type {
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
import { KnownRegistrationEntity, OrganisationEntity, OrganisationRouteEntity } from './organisation.entity';

/**
 * consent's projection (`organisation_routes` appended with an id, `organisation_memberships` keyed by `id`) read
 * and written by the shared coordinator rule (ADR 0018); only the table and column names are consent's.
 */
const consentScope = new OrganisationScope({
  routes: 'organisation_routes',
  routeFrom: 'effective_from',
  routeOrder: 'id',
  memberships: 'organisation_memberships',
  membershipId: 'id',
});

export interface Controllers {
  route: Route;
  controllers: ControllerParty[];
}

/** Local projection of organisations and registrations (from registration's events), and controller resolution. */
@Injectable()
export class OrganisationsService {
  constructor(private readonly dataSource: DataSource) {}

  async organisationRegistered(em: EntityManager, e: OrganisationRegistered): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(OrganisationEntity)
      .values({ id: e.organisationId, name: e.name, kind: e.kind })
      .orUpdate(['name', 'kind'], ['id'])
      .execute();
    await em.insert(OrganisationRouteEntity, {
      organisationId: e.organisationId,
      route: e.route,
      coordinatorOrganisationId: e.coordinatorOrganisationId,
      effectiveFrom: e.effectiveFrom,
      recordedAt: new Date(e.occurredAt),
    });
  }

  /** A route change may arrive before the registration (other partition order is not guaranteed): kept anyway. */
  async routeChanged(em: EntityManager, e: OrganisationRouteChanged): Promise<void> {
    await em.insert(OrganisationRouteEntity, {
      organisationId: e.organisationId,
      route: e.newRoute,
      coordinatorOrganisationId: e.newCoordinatorOrganisationId,
      effectiveFrom: e.effectiveFrom,
      recordedAt: new Date(e.occurredAt),
    });
  }

  /** The latest event per membership id carries its full state; an end never re-opens (the shared rule). */
  async membership(em: EntityManager, e: MembershipStarted | MembershipEnded): Promise<void> {
    await consentScope.recordMembership(em, e);
  }

  async registrationCreated(em: EntityManager, e: RegistrationCreated): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(KnownRegistrationEntity)
      .values({ id: e.registrationId, organisationId: e.organisationId, deregisteredAt: null })
      .orIgnore()
      .execute();
  }

  async registrationDeregistered(em: EntityManager, e: RegistrationDeregistered): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(KnownRegistrationEntity)
      .values({
        id: e.registrationId,
        organisationId: e.organisationId,
        deregisteredAt: new Date(e.occurredAt),
      })
      .orUpdate(['deregistered_at'], ['id'])
      .execute();
  }

  /** The registration's organisation if registration's event has arrived, else undefined (the caller refuses). */
  async registrationOrganisation(registrationId: string, em?: EntityManager): Promise<string | undefined> {
    const row = await (em ?? this.dataSource.manager).findOne(KnownRegistrationEntity, {
      where: { id: registrationId },
    });
    return row?.organisationId;
  }

  /** The controller(s) named in the text and the receipt on the given moment's Amsterdam date. */
  async controllersOn(organisationId: string, at: Date, em?: EntityManager): Promise<Controllers> {
    const m = em ?? this.dataSource.manager;
    const day = amsterdamDate(at);
    const route = await consentScope.routeOn(m, organisationId, day);
    const members = route?.route === 'C' ? await consentScope.membersOf(m, [organisationId], day) : [];
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
    const named = await m.find(OrganisationEntity, { where: { id: In(resolved.controllers) } });
    const names = new Map(named.map((o) => [o.id, o.name]));
    return {
      route: resolved.route,
      controllers: resolved.controllers.map((id) => ({ organisationId: id, name: names.get(id) ?? null })),
    };
  }
}
