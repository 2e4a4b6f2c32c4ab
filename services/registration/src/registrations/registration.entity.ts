import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { OrganisationEntity } from '../organisations/organisation.entity';

export type GenderMarker = 'M' | 'V' | 'X';
export type RegistrationStatus = 'ACTIVE' | 'DEREGISTERED';
/** HASH_ERASED: was VALIDATED, but the stored hash of the BSN is gone (withdrawal, or a failure at an allocation). */
export type IdentityStatus = 'NOT_STARTED' | 'PENDING' | 'VALIDATED' | 'FAILED' | 'HASH_ERASED';
export type HouseholdRelation = 'PARTNER' | 'CHILD' | 'OTHER_ADULT' | 'OTHER';

/** A home seeker's registration (inschrijving). `id` is the pseudonymous registration id. */
@Entity({ name: 'registrations' })
@Check('ck_registrations_gender_marker', `"gender_marker" IN ('M', 'V', 'X')`)
@Check('ck_registrations_status', `"status" IN ('ACTIVE', 'DEREGISTERED')`)
export class RegistrationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ix_registrations_organisation_id')
  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => OrganisationEntity)
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_registrations_organisation' })
  organisation?: OrganisationEntity;

  /** Voorvoegsel, e.g. "van der". */
  @Column({ type: 'varchar', length: 20, nullable: true })
  surnamePrefix!: string | null;

  /** Geslachtsnaam as stated by the seeker. */
  @Column({ type: 'varchar', length: 200 })
  surname!: string;

  @Column({ type: 'date' })
  birthDate!: string;

  /** Kept only until the BSN check succeeded or failed. */
  @Column({ type: 'varchar', length: 1, nullable: true })
  genderMarker!: GenderMarker | null;

  @Column({ type: 'varchar', length: 7, nullable: true })
  postcode!: string | null;

  @Column({ type: 'integer', nullable: true })
  houseNumber!: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  houseNumberAddition!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  /** Inschrijfdatum: never changed by consent, its withdrawal or a merge except to keep the earliest. */
  @Column({ type: 'date' })
  registrationDate!: string;

  @Column({ type: 'varchar', length: 20, default: 'ACTIVE' })
  status!: RegistrationStatus;

  @Column({ type: 'timestamptz', nullable: true })
  deregisteredAt!: Date | null;

  @Column({ type: 'varchar', length: 20, default: 'NOT_STARTED' })
  identityStatus!: IdentityStatus;

  @Column({ type: 'varchar', length: 200, nullable: true })
  validatedSurname!: string | null;

  @Column({ type: 'date', nullable: true })
  validatedBirthDate!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  identityValidatedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ type: 'integer' })
  version!: number;
}

/** A member of the seeker's household. `id` is the member's pseudonym. */
@Entity({ name: 'household_members' })
@Check('ck_household_members_relation', `"relation" IN ('PARTNER', 'CHILD', 'OTHER_ADULT', 'OTHER')`)
export class HouseholdMemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ix_household_members_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @ManyToOne(() => RegistrationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'registration_id', foreignKeyConstraintName: 'fk_household_members_registration' })
  registration?: RegistrationEntity;

  @Column({ type: 'varchar', length: 20 })
  relation!: HouseholdRelation;

  @Column({ type: 'varchar', length: 20, nullable: true })
  surnamePrefix!: string | null;

  @Column({ type: 'varchar', length: 200 })
  surname!: string;

  @Column({ type: 'date' })
  birthDate!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
