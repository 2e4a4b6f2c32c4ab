import type { Route } from '@divit/contracts';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Projection of `divit.registration.organisations.v1`: who an organisation is (legal person, no personal data). */
@Entity({ name: 'organisations' })
export class OrganisationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ type: 'varchar', length: 30 })
  kind!: string;
}

/** Effective-dated route and coordinator of an organisation (OrganisationRegistered / OrganisationRouteChanged). */
@Entity({ name: 'organisation_routes' })
export class OrganisationRouteEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('ix_organisation_routes_organisation_id')
  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'varchar', length: 1 })
  route!: 'A' | 'B' | 'C';

  @Column({ type: 'uuid', nullable: true })
  coordinatorOrganisationId!: string | null;

  /** First day (Europe/Amsterdam) the route applies. */
  @Column({ type: 'date' })
  effectiveFrom!: string;

  @Column({ type: 'timestamptz' })
  recordedAt!: Date;
}

/** Membership of a corporation in a route B/C organisation; the latest event per membership id wins. */
@Entity({ name: 'organisation_memberships' })
export class OrganisationMembershipEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ix_organisation_memberships_organisation_id')
  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  memberOrganisationId!: string;

  @Column({ type: 'date' })
  validFrom!: string;

  @Column({ type: 'date', nullable: true })
  validTo!: string | null;
}

/** Projection of `divit.registration.registrations.v1`: which organisation a registration belongs to. */
@Entity({ name: 'registrations' })
export class KnownRegistrationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'timestamptz', nullable: true })
  deregisteredAt!: Date | null;
}

/**
 * Projection of `divit.registration.allocations.v1`: the allocations consent may ask consent at allocation for
 * (issue 16 item 4). Pseudonymous ids only; an exempted household (exemptionGroup set) gets no consent.
 */
@Entity({ name: 'allocations' })
export class KnownAllocationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  exemptionGroup!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** The day the seeker accepted the offered dwelling (AllocationOfferAccepted); null until then. */
  @Column({ type: 'date', nullable: true })
  acceptedOn!: string | null;

  /** The route in force on the day of acceptance, as registration announced it. */
  @Column({ type: 'varchar', length: 1, nullable: true })
  acceptedRoute!: Route | null;

  /** The controller(s) from the acceptance (the letting corporation on routes B and C), sorted. */
  @Column({ type: 'jsonb', nullable: true })
  acceptedControllerIds!: string[] | null;
}
