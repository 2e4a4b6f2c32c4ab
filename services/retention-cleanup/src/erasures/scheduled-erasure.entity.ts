import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DataCategory, ErasureReason, OwningService } from '@divit/contracts';
import type { Outcome, Trigger } from '../policies/policy';

export type ErasureStatus = 'SCHEDULED' | 'ISSUED' | 'COMPLETED';

/**
 * One due (or future) erasure of one category at one owning service. SCHEDULED until issued (due, not held),
 * ISSUED while the command waits for its acknowledgement (re-sent with the same erasure id when late),
 * COMPLETED when the owner acknowledged.
 */
@Entity({ name: 'scheduled_erasures' })
@Check('ck_scheduled_erasures_status', `"status" IN ('SCHEDULED', 'ISSUED', 'COMPLETED')`)
@Index('ux_scheduled_erasures_dedupe_key', ['dedupeKey'], { unique: true })
@Index('ix_scheduled_erasures_due', ['dueAt'], { where: `"status" = 'SCHEDULED'` })
@Index('ix_scheduled_erasures_sent', ['lastSentAt'], { where: `"status" = 'ISSUED'` })
export class ScheduledErasureEntity {
  @PrimaryColumn({ type: 'uuid' })
  erasureId!: string;

  @Column({ type: 'varchar', length: 40 })
  category!: DataCategory;

  @Column({ type: 'varchar', length: 40 })
  targetService!: OwningService;

  @Column({ type: 'varchar', length: 40 })
  reason!: ErasureReason;

  @Column({ type: 'varchar', length: 40 })
  trigger!: Trigger;

  /** The trigger's outcome where the policy language knows one (docs/adr/0036): the income decision's conclusion. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  outcome!: Outcome | null;

  @Column({ type: 'varchar', length: 100 })
  policyId!: string;

  @Column({ type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Index('ix_scheduled_erasures_registration_id')
  @Column({ type: 'uuid', nullable: true })
  registrationId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  subjectId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  recordedBefore!: Date | null;

  @Column({ type: 'timestamptz' })
  triggerAt!: Date;

  @Column({ type: 'timestamptz' })
  dueAt!: Date;

  /** What makes a lifecycle erasure unique, so a replayed trigger schedules nothing new. */
  @Column({ type: 'varchar', length: 300 })
  dedupeKey!: string;

  @Column({ type: 'varchar', length: 20, default: 'SCHEDULED' })
  status!: ErasureStatus;

  @Column({ type: 'timestamptz', nullable: true })
  firstSentAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSentAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  sendCount!: number;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'bigint', nullable: true })
  erasedCount!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
