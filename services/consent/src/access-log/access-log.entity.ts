import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: who read or exported consent data of which registration, when and why (ids only). */
@Entity({ name: 'access_log' })
export class AccessLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @Column({ type: 'varchar', length: 64 })
  subjectOrganisationId!: string;

  @Column({ type: 'varchar', length: 200 })
  roles!: string;

  @Column({ type: 'varchar', length: 50 })
  action!: string;

  /** The organisation whose data was accessed. */
  @Column({ type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Index('ix_access_log_registration_id')
  @Column({ type: 'uuid', nullable: true })
  registrationId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'varchar', length: 30 })
  purpose!: string;
}
