import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Exclusion,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { OrganisationEntity } from './organisation.entity';

/**
 * Effective-dated membership of a corporation in a route B or C organisation (housing allocator or
 * collaboration). `validTo` is the last day, inclusive; null while open-ended. Periods of the same pair never
 * overlap (exclusion constraint, so it holds under concurrency too).
 */
@Entity({ name: 'organisation_memberships' })
@Check('ck_organisation_memberships_period', `"valid_to" IS NULL OR "valid_to" >= "valid_from"`)
@Check('ck_organisation_memberships_not_self', `"organisation_id" <> "member_organisation_id"`)
@Exclusion(
  'xc_organisation_memberships_no_overlap',
  `USING gist ("organisation_id" WITH =, "member_organisation_id" WITH =, daterange("valid_from", "valid_to", '[]') WITH &&)`,
)
export class OrganisationMembershipEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => OrganisationEntity)
  @JoinColumn({
    name: 'organisation_id',
    foreignKeyConstraintName: 'fk_organisation_memberships_organisation',
  })
  organisation?: OrganisationEntity;

  @Index('ix_organisation_memberships_member_organisation_id')
  @Column({ type: 'uuid' })
  memberOrganisationId!: string;

  @ManyToOne(() => OrganisationEntity)
  @JoinColumn({
    name: 'member_organisation_id',
    foreignKeyConstraintName: 'fk_organisation_memberships_member_organisation',
  })
  memberOrganisation?: OrganisationEntity;

  @Column({ type: 'date' })
  validFrom!: string;

  @Column({ type: 'date', nullable: true })
  validTo!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endRecordedAt!: Date | null;
}

/**
 * Number of dwellings a member corporation brings into a route B or C organisation, from a date (used to
 * split registration-time costs). A figure applies until the next one with a later `effectiveFrom`;
 * recording the same date again corrects it.
 */
@Entity({ name: 'housing_stock' })
@Check('ck_housing_stock_dwellings', `"dwellings" >= 0`)
export class HousingStockEntity {
  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  @PrimaryColumn({ type: 'uuid' })
  memberOrganisationId!: string;

  @PrimaryColumn({ type: 'date' })
  effectiveFrom!: string;

  @Column({ type: 'integer' })
  dwellings!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;

  @ManyToOne(() => OrganisationEntity)
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_housing_stock_organisation' })
  organisation?: OrganisationEntity;

  @ManyToOne(() => OrganisationEntity)
  @JoinColumn({
    name: 'member_organisation_id',
    foreignKeyConstraintName: 'fk_housing_stock_member_organisation',
  })
  memberOrganisation?: OrganisationEntity;
}
