import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

@Entity({ name: 'organisations' })
export class OrganisationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ux_organisations_name', { unique: true })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 30 })
  kind!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** Effective-dated route history: a change of route or coordinator adds a row, nothing is overwritten. */
@Entity({ name: 'organisation_routes' })
export class OrganisationRouteEntity {
  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  @PrimaryColumn({ type: 'date' })
  effectiveFrom!: string;

  @Column({ type: 'varchar', length: 1 })
  route!: string;

  @Index('ix_organisation_routes_coordinator_organisation_id')
  @Column({ type: 'uuid', nullable: true })
  coordinatorOrganisationId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_organisation_routes_organisation' })
  organisation?: OrganisationEntity;
}
