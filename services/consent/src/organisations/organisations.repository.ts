import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type {
  MembershipEnded,
  MembershipStarted,
  OrganisationRegistered,
  OrganisationRouteChanged,
  RegistrationCreated,
  RegistrationDeregistered,
} from '@divit/contracts';
import {
  KnownRegistrationEntity,
  OrganisationEntity,
  OrganisationMembershipEntity,
  OrganisationRouteEntity,
} from './organisation.entity';

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

  /** The latest event per membership id carries its full state. */
  async membership(em: EntityManager, e: MembershipStarted | MembershipEnded): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(OrganisationMembershipEntity)
      .values({
        id: e.membershipId,
        organisationId: e.organisationId,
        memberOrganisationId: e.memberOrganisationId,
        validFrom: e.validFrom,
        validTo: e.validTo,
      })
      .orUpdate(['organisation_id', 'member_organisation_id', 'valid_from', 'valid_to'], ['id'])
      .execute();
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

  async registration(
    registrationId: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<KnownRegistrationEntity | null> {
    return em.findOne(KnownRegistrationEntity, { where: { id: registrationId } });
  }

  routes(
    organisationId: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<OrganisationRouteEntity[]> {
    return em.find(OrganisationRouteEntity, { where: { organisationId } });
  }

  memberships(
    organisationId: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<OrganisationMembershipEntity[]> {
    return em.find(OrganisationMembershipEntity, { where: { organisationId } });
  }

  byIds(ids: string[], em: EntityManager = this.dataSource.manager): Promise<OrganisationEntity[]> {
    return em.find(OrganisationEntity, { where: { id: In(ids) } });
  }
}
