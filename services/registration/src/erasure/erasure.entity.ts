import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Erasure commands already applied, by erasure id: a re-sent command is acknowledged again, not re-applied. */
@Entity({ name: 'applied_erasures' })
export class AppliedErasureEntity {
  @PrimaryColumn({ type: 'uuid' })
  erasureId!: string;

  @Column({ type: 'varchar', length: 40 })
  category!: string;

  @Column({ type: 'integer' })
  erasedCount!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  appliedAt!: Date;
}

/** Pseudonymous tombstone of an erased registration (ids and dates, no personal data). */
@Entity({ name: 'erased_registrations' })
export class ErasedRegistrationEntity {
  @PrimaryColumn({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'date' })
  registrationDate!: string;

  @Column({ type: 'timestamptz', nullable: true })
  deregisteredAt!: Date | null;

  @Column({ type: 'uuid' })
  erasureId!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  erasedAt!: Date;
}
