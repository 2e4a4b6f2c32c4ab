import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

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

  @Index('ix_access_log_registration_id')
  @Column({ type: 'uuid', nullable: true })
  registrationId!: string | null;

  @Column({ type: 'varchar', length: 30 })
  purpose!: string;
}
