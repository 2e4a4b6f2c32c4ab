import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import type { AllocationOutcome, ExemptionGroup, HouseholdRole } from '@divit/contracts';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { RegistrationEntity } from '../registrations/registration.entity';

/**
 * An allocation (toewijzing) recorded from the allocation system. `id` is the pseudonymous allocation id.
 * One allocation per letting corporation, dwelling and lease start.
 */
@Entity({ name: 'allocations' })
@Index(
  'ux_allocations_dwelling_lease_start',
  ['lettingCorporationId', 'dwellingReference', 'leaseStartDate'],
  {
    unique: true,
  },
)
@Check('ck_allocations_monthly_rent_cents', `"monthly_rent_cents" > 0`)
@Check(
  'ck_allocations_exemption_group',
  `"exemption_group" IN ('STATUS_HOLDER_FROM_COA', 'STUDENTS_WITH_STUDY_FINANCE', 'STUDENTS_FROM_ABROAD')`,
)
@Check(
  'ck_allocations_closed',
  `("closed_outcome" IS NULL AND "closed_at" IS NULL) OR ("closed_outcome" IN ('LEASE_SIGNED', 'ENDED_WITHOUT_LEASE') AND "closed_at" IS NOT NULL)`,
)
@Check('ck_allocations_accepted', `("accepted_on" IS NULL) = ("accepted_at" IS NULL)`)
export class AllocationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ix_allocations_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @ManyToOne(() => RegistrationEntity)
  @JoinColumn({ name: 'registration_id', foreignKeyConstraintName: 'fk_allocations_registration' })
  registration?: RegistrationEntity;

  /** The registration's organisation (route A corporation, or route B/C allocator or collaboration). */
  @Index('ix_allocations_organisation_id')
  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => OrganisationEntity)
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_allocations_organisation' })
  organisation?: OrganisationEntity;

  @Column({ type: 'uuid' })
  lettingCorporationId!: string;

  @ManyToOne(() => OrganisationEntity)
  @JoinColumn({
    name: 'letting_corporation_id',
    foreignKeyConstraintName: 'fk_allocations_letting_corporation',
  })
  lettingCorporation?: OrganisationEntity;

  /** The letting corporation's own reference of the dwelling (e.g. VHE number), not an address. */
  @Column({ type: 'varchar', length: 64 })
  dwellingReference!: string;

  @Column({ type: 'integer' })
  monthlyRentCents!: number;

  @Column({ type: 'date' })
  leaseStartDate!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  exemptionGroup!: ExemptionGroup | null;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;

  /** How the allocation ended (POST /allocations/:id/closure), once. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  closedOutcome!: AllocationOutcome | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** The day the seeker accepted the offered dwelling (POST /allocations/:id/acceptance), once: the controller hand-over. */
  @Column({ type: 'date', nullable: true })
  acceptedOn!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;
}

/**
 * A member of the allocated household. `id` is the member's pseudonym (new per allocation). Surname and birth
 * date are kept only for adult co-residents (they are checked in DIV-it process 4); the home seeker's are on
 * the registration, and minors' are not needed once adulthood is derived.
 */
@Entity({ name: 'allocation_members' })
@Index('ux_allocation_members_position', ['allocationId', 'position'], { unique: true })
@Check('ck_allocation_members_role', `"role" IN ('HOME_SEEKER', 'CO_RESIDENT')`)
@Check(
  'ck_allocation_members_identity',
  `("role" = 'CO_RESIDENT' AND "adult" AND "surname" IS NOT NULL AND "birth_date" IS NOT NULL) OR (NOT ("role" = 'CO_RESIDENT' AND "adult") AND "surname" IS NULL AND "surname_prefix" IS NULL AND "birth_date" IS NULL)`,
)
export class AllocationMemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  allocationId!: string;

  @ManyToOne(() => AllocationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'allocation_id', foreignKeyConstraintName: 'fk_allocation_members_allocation' })
  allocation?: AllocationEntity;

  /** 0 is the home seeker, then the co-residents in the order given. */
  @Column({ type: 'smallint' })
  position!: number;

  @Column({ type: 'varchar', length: 20 })
  role!: HouseholdRole;

  /** 18 or older on the lease start date. */
  @Column({ type: 'boolean' })
  adult!: boolean;

  @Column({ type: 'varchar', length: 20, nullable: true })
  surnamePrefix!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  surname!: string | null;

  @Column({ type: 'date', nullable: true })
  birthDate!: string | null;
}
