import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ChangedScalar = string | number | boolean | null;
/** One non-personal field's value before and after a change. */
export interface ChangedValue {
  from: ChangedScalar;
  to: ChangedScalar;
}

/**
 * One access-log entry (table `access_log_entries`, created by this library's migration; append-only by trigger).
 * Ids, names and reasons only: never a token, a BSN or a personal value (`changedValues` holds only the values a
 * service declared not personal, e.g. a status or a retention period).
 */
@Entity({ name: 'access_log_entries' })
@Check('ck_access_log_entries_kind', `"kind" IN ('ACCESS', 'AUTHENTICATION')`)
@Check(
  'ck_access_log_entries_reason',
  `("action" IN ('TOKEN_REJECTED', 'LOGIN_FAILED')) = ("outcome_reason" IS NOT NULL)`,
)
@Index('ux_access_log_entries_dedupe_key', ['dedupeKey'], { unique: true, where: '"dedupe_key" IS NOT NULL' })
@Index('ix_access_log_entries_occurred_at', ['occurredAt'])
@Index('ix_access_log_entries_subject_organisation', ['subjectOrganisationId', 'id'])
@Index('ix_access_log_entries_organisation', ['organisationId', 'id'])
@Index('ix_access_log_entries_subject', ['subject', 'id'])
@Index('ix_access_log_entries_resource', ['resourceType', 'resourceId'])
@Index('ix_access_log_entries_registration', ['registrationId'])
@Index('ix_access_log_entries_allocation', ['allocationId'])
export class AccessLogEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_access_log_entries' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  occurredAt!: Date;

  /** ACCESS (a read, export or change of data) or AUTHENTICATION (a token accepted or rejected). */
  @Column({ type: 'varchar', length: 20 })
  kind!: 'ACCESS' | 'AUTHENTICATION';

  @Column({ type: 'varchar', length: 200, nullable: true })
  subject!: string | null;

  /** The organisation the caller acted for (`platform` for the platform operator). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  subjectOrganisationId!: string | null;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  roles!: string[];

  @Column({ type: 'varchar', length: 60 })
  action!: string;

  /** Why a token was rejected (action TOKEN_REJECTED only). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  outcomeReason!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  resourceType!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  resourceId!: string | null;

  /** The organisation whose data was accessed. */
  @Column({ type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  registrationId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  purpose!: string | null;

  /** The names of the fields a change touched. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  changedFields!: string[];

  /**
   * Before and after of the changed fields that are not personal (issue 16 item 10, Woonkans agreement): a subset
   * of `changedFields`, scalar values only, each string at most 100 characters and passed through the BSN redaction.
   */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  changedValues!: Record<string, ChangedValue>;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  userAgent!: string | null;

  /** Records an accepted token once per hour: a hash of the token's reference and the hour, never the token. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  dedupeKey!: string | null;
}
