import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConsentPurpose } from '@divit/contracts';
import type { ConsentElements } from './consent-elements';

export type Audience = 'HOME_SEEKER' | 'CO_RESIDENT';
export type Language = 'nl' | 'en';
export type TextStatus = 'DRAFT' | 'PUBLISHED';

/**
 * A consent text per organisation, audience, purpose and language. Drafts can be replaced; once published the
 * row's content, version and hash never change (a trigger refuses it); only `supersededAt` is set when a newer
 * version of the same series is published.
 */
@Entity({ name: 'consent_texts' })
@Index('ux_consent_texts_series_version', ['organisationId', 'audience', 'purpose', 'language', 'version'], {
  unique: true,
})
export class ConsentTextEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'varchar', length: 20 })
  audience!: Audience;

  @Column({ type: 'varchar', length: 40 })
  purpose!: ConsentPurpose;

  @Column({ type: 'varchar', length: 2 })
  language!: Language;

  @Column({ type: 'varchar', length: 20 })
  status!: TextStatus;

  @Column({ type: 'integer', nullable: true })
  version!: number | null;

  @Column({ type: 'jsonb' })
  elements!: Partial<ConsentElements>;

  @Index('ux_consent_texts_version_hash', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  versionHash!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 200 })
  createdBy!: string;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  supersededAt!: Date | null;
}
