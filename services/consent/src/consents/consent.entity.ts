import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConsentPurpose, Route, SubjectRole } from '@divit/contracts';
import type { ControllerParty } from '../showings/showing.entity';

export type Answer = 'GRANTED' | 'REFUSED';

/** One person's answer to one showing; grants carry the signed receipt. Withdrawal sets `withdrawnAt` once. */
@Entity({ name: 'consents' })
export class ConsentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ux_consents_showing_id', { unique: true })
  @Column({ type: 'uuid' })
  showingId!: string;

  @Column({ type: 'uuid' })
  textId!: string;

  @Column({ type: 'varchar', length: 64 })
  textVersionHash!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Index('ix_consents_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 20 })
  subjectRole!: SubjectRole;

  @Index('ix_consents_allocation_id')
  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'varchar', length: 40 })
  purpose!: ConsentPurpose;

  @Column({ type: 'varchar', length: 10 })
  answer!: Answer;

  @Column({ type: 'timestamptz' })
  answeredAt!: Date;

  @Column({ type: 'varchar', length: 1 })
  controllerRoute!: Route;

  @Column({ type: 'jsonb' })
  controllers!: ControllerParty[];

  @Column({ type: 'uuid', nullable: true })
  receiptId!: string | null;

  /** The compact JWS (grants only). */
  @Column({ type: 'text', nullable: true })
  receipt!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  receiptKid!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  @Column({ type: 'varchar', length: 200 })
  recordedBy!: string;
}
