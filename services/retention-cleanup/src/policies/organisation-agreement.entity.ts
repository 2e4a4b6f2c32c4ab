import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The agreement an organisation takes part in, whose retention periods it follows (docs/adr/0036). One at most. */
@Entity({ name: 'organisation_agreements' })
export class OrganisationAgreementEntity {
  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  /** The id of a shipped agreement file (src/policies/agreements/<id>.json). */
  @Column({ type: 'varchar', length: 40 })
  agreementId!: string;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column({ type: 'varchar', length: 200 })
  adoptedBy!: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  adoptedAt!: Date;
}
