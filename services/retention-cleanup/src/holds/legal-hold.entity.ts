import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { DataCategory } from '@divit/contracts';

/** Blocks erasure of a subject's data and/or a category (optionally for one organisation) until lifted or expired. */
@Entity({ name: 'legal_holds' })
@Check('ck_legal_holds_scope', `"subject_id" IS NOT NULL OR "category" IS NOT NULL`)
export class LegalHoldEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Registration id (home seeker) or member id (co-resident). */
  @Column({ type: 'uuid', nullable: true })
  subjectId!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  category!: DataCategory | null;

  @Column({ type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  /** Who answers for the hold (e.g. the legal department or case). */
  @Column({ type: 'varchar', length: 200 })
  owner!: string;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'varchar', length: 200 })
  createdBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  liftedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  liftedAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  liftReason!: string | null;
}

/** Append-only (trigger): every creation and lifting of a hold. */
@Entity({ name: 'legal_hold_audit' })
export class LegalHoldAuditEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('ix_legal_hold_audit_hold_id')
  @Column({ type: 'uuid' })
  holdId!: string;

  @Column({ type: 'varchar', length: 20 })
  action!: 'CREATED' | 'LIFTED';

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  occurredAt!: Date;
}
