import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConsentPurpose, Route, SubjectRole } from '@divit/contracts';

export type Channel = 'WEB' | 'APP' | 'PAPER_ASSISTED';

export interface ControllerParty {
  organisationId: string;
  name: string | null;
}

/** Proof that a published consent text version was shown to a person (pseudonym) at a time in a channel. */
@Entity({ name: 'consent_showings' })
export class ShowingEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  textId!: string;

  @Column({ type: 'varchar', length: 64 })
  textVersionHash!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Index('ix_consent_showings_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 20 })
  subjectRole!: SubjectRole;

  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'varchar', length: 40 })
  purpose!: ConsentPurpose;

  @Column({ type: 'varchar', length: 20 })
  channel!: Channel;

  @Column({ type: 'timestamptz' })
  shownAt!: Date;

  /** The controller named in the text as shown (from the organisation's route on that day). */
  @Column({ type: 'varchar', length: 1 })
  controllerRoute!: Route;

  @Column({ type: 'jsonb' })
  controllers!: ControllerParty[];

  @Column({ type: 'varchar', length: 200 })
  recordedBy!: string;
}
