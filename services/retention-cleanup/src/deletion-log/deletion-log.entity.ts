import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DataCategory, ErasureReason, OwningService } from '@divit/contracts';

/**
 * Append-only proof (trigger): one row per acknowledged erasure. Pseudonymous ids, counts and times only,
 * never personal data, so it survives the erasures it proves.
 */
@Entity({ name: 'deletion_log' })
@Index('ux_deletion_log_erasure_id', ['erasureId'], { unique: true })
export class DeletionLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  erasureId!: string;

  @Column({ type: 'varchar', length: 40 })
  category!: DataCategory;

  /** The service that erased and acknowledged. */
  @Column({ type: 'varchar', length: 40 })
  targetService!: OwningService;

  @Column({ type: 'varchar', length: 40 })
  reason!: ErasureReason;

  @Column({ type: 'varchar', length: 100 })
  policyId!: string;

  /** Registration id or member id (a pseudonym), null for age-based sweeps. */
  @Column({ type: 'uuid', nullable: true })
  subjectPseudonym!: string | null;

  @Column({ type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  recordedBefore!: Date | null;

  @Column({ type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ type: 'timestamptz' })
  completedAt!: Date;

  @Column({ type: 'bigint' })
  erasedCount!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  loggedAt!: Date;
}
