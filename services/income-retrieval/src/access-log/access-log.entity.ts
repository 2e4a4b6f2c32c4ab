import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: every read or export of personal data (statements, JSON or PDF), ids only. */
@Entity({ name: 'access_log' })
export class AccessLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_access_log' })
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

  @Index('ix_access_log_allocation_id')
  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'varchar', length: 30 })
  purpose!: string;
}
