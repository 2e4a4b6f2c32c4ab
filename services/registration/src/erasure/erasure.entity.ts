import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

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
