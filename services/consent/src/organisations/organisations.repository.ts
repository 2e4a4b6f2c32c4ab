import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { OrganisationScope } from '@divit/service-kit';
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
} from '@divit/contracts';
import {
  KnownAllocationEntity,
  KnownRegistrationEntity,
  OrganisationEntity,
  OrganisationRouteEntity,
} from './organisation.entity';

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

/**
 * The local projection of organisations, their routes and memberships, and registrations, from registration's
 * events (ADR 0025: the only place that queries these tables).
 */
@Injectable()
export class OrganisationsRepository {
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

  async allocationRecorded(em: EntityManager, e: AllocationRecorded): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(KnownAllocationEntity)
      .values({
        id: e.allocationId,
        registrationId: e.registrationId,
        organisationId: e.organisationId,
        exemptionGroup: e.exemptionGroup,
        closedAt: null,
      })
      .orUpdate(['exemption_group'], ['id'])
      .execute();
  }

  /** Both events travel on one topic keyed by the allocation, so the close follows the record; upserted anyway. */
  async allocationClosed(em: EntityManager, e: AllocationClosed): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(KnownAllocationEntity)
      .values({
        id: e.allocationId,
        registrationId: e.registrationId,
        organisationId: e.organisationId,
        exemptionGroup: null,
        closedAt: new Date(e.closedAt),
      })
      .orUpdate(['closed_at'], ['id'])
      .execute();
  }

  /** The acceptance follows the record on the same key; upserted anyway (the record's fields stay). */
  async allocationOfferAccepted(em: EntityManager, e: AllocationOfferAccepted): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(KnownAllocationEntity)
      .values({
        id: e.allocationId,
        registrationId: e.registrationId,
        organisationId: e.organisationId,
        exemptionGroup: null,
        closedAt: null,
        acceptedOn: e.acceptedOn,
        acceptedRoute: e.route,
        acceptedControllerIds: [...e.controllerOrganisationIds].sort(),
      })
      .orUpdate(['accepted_on', 'accepted_route', 'accepted_controller_ids'], ['id'])
      .execute();
  }

  allocation(allocationId: string, em: EntityManager = this.dataSource.manager) {
    return em.findOne(KnownAllocationEntity, { where: { id: allocationId } });
  }

  async registration(
    registrationId: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<KnownRegistrationEntity | null> {
    return em.findOne(KnownRegistrationEntity, { where: { id: registrationId } });
  }

  /** The route in force on `day` (the shared rule: latest effective date on or before it, then latest recorded). */
  routeOn(organisationId: string, day: string, em: EntityManager = this.dataSource.manager) {
    return consentScope.routeOn(em, organisationId, day);
  }

  /** The organisation's member corporations on `day` (the shared rule). */
  membersOn(organisationId: string, day: string, em: EntityManager = this.dataSource.manager) {
    return consentScope.membersOf(em, [organisationId], day);
  }

  byIds(ids: string[], em: EntityManager = this.dataSource.manager): Promise<OrganisationEntity[]> {
    return em.find(OrganisationEntity, { where: { id: In(ids) } });
  }
}
