import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** An allocation as announced by registration (AllocationRecorded), with the household size the test uses. */
@Entity({ name: 'allocations' })
export class AllocationEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_allocations' })
  allocationId!: string;

  @Index('ix_allocations_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @Index('ix_allocations_organisation_id')
  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  lettingCorporationId!: string;

  @Column({ type: 'date' })
  leaseStartDate!: string;

  @Column({ type: 'bigint' })
  monthlyRentCents!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  exemptionGroup!: string | null;

  /** Everyone in the household, children included. */
  @Column({ type: 'smallint' })
  householdSize!: number;

  /** When registration recorded the allocation (event time). */
  @Column({ type: 'timestamptz' })
  recordedAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt!: Date;

  /** LEASE_SIGNED | ENDED_WITHOUT_LEASE once registration closes the allocation. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  closedOutcome!: string | null;

  /**
   * Set while every member has shared but the lease year has no income norms yet (ADR 0017); cleared by the
   * decision. The norms resolver decides these allocations once the year's norms are published.
   */
  @Index('ix_allocations_awaiting_norms_year')
  @Column({ type: 'smallint', nullable: true })
  awaitingNormsYear!: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  awaitingNormsSince!: Date | null;
}

/** Income norms the platform operator published at run time (PUT /norms/{leaseYear}); immutable once written. */
@Entity({ name: 'income_norms' })
export class IncomeNormsEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'pk_income_norms' })
  leaseYear!: number;

  @Index('ux_income_norms_version', { unique: true })
  @Column({ type: 'varchar', length: 40 })
  version!: string;

  /** The norm set as a norm file holds it (validated with the same schema). */
  @Column({ type: 'jsonb' })
  body!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 200 })
  publishedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  publishedAt!: Date;
}

/** One member who must share (the home seeker and every adult co-resident) and where their request stands. */
@Entity({ name: 'member_requests' })
export class MemberRequestEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_member_requests' })
  allocationId!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_member_requests' })
  memberId!: string;

  @Column({ type: 'varchar', length: 20 })
  role!: string;

  @Column({ type: 'varchar', length: 30 })
  status!: string;

  @Column({ type: 'varchar', length: 30, nullable: true })
  failure!: string | null;

  @Column({ type: 'uuid', nullable: true })
  consentId!: string | null;

  @Index('ix_member_requests_deadline_open')
  @Column({ type: 'timestamptz' })
  deadlineAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;

  /** Consent withdrawn after the completed test (the statement stays for the accountant). */
  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAfterDecisionAt!: Date | null;
}

/** Consent answers and validation failures for an allocation's members, kept as they arrive (any order). */
@Entity({ name: 'member_signals' })
export class MemberSignalEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_member_signals' })
  id!: string;

  @Index('ix_member_signals_allocation_id')
  @Column({ type: 'uuid' })
  allocationId!: string;

  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  /** CONSENT_GRANTED | CONSENT_REFUSED | CONSENT_WITHDRAWN | VALIDATION_FAILED */
  @Column({ type: 'varchar', length: 30 })
  kind!: string;

  @Column({ type: 'uuid' })
  consentId!: string;

  @Column({ type: 'varchar', length: 30, nullable: true })
  failure!: string | null;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt!: Date;
}

/** Income shared through identity-validation (IncomeShared), kept until used, erased or past retention. */
@Entity({ name: 'shared_incomes' })
export class SharedIncomeEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_shared_incomes' })
  sharingId!: string;

  @Index('ix_shared_incomes_allocation_id')
  @Column({ type: 'uuid' })
  allocationId!: string;

  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'uuid' })
  consentId!: string;

  @Column({ type: 'bigint' })
  incomeCents!: string;

  @Column({ type: 'varchar', length: 20 })
  incomeKind!: string;

  @Column({ type: 'smallint' })
  taxYear!: number;

  @Column({ type: 'timestamptz' })
  receivedAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;

  /** Used in a completed income test (category USED_INCOME), else UNUSED_INCOME. */
  @Column({ type: 'boolean', default: false })
  used!: boolean;
}

/** "Pension age" stated for the household by the allocation system (the contract carries no birth dates). */
@Entity({ name: 'pension_age_statements' })
export class PensionAgeStatementEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_pension_age_statements' })
  allocationId!: string;

  @Column({ type: 'boolean' })
  pensionAge!: boolean;

  @Column({ type: 'varchar', length: 200 })
  statedBy!: string;

  @Column({ type: 'timestamptz' })
  statedAt!: Date;
}

/** The one decision per allocation (primary key = allocation id). Conclusions only, no income. */
@Entity({ name: 'decisions' })
export class DecisionEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_decisions' })
  allocationId!: string;

  @Index('ux_decisions_decision_id', { unique: true })
  @Column({ type: 'uuid' })
  decisionId!: string;

  @Column({ type: 'varchar', length: 30 })
  outcome!: string;

  @Column({ type: 'varchar', length: 30, nullable: true })
  alternativeRouteReason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  failedMemberId!: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  passendCategory!: string | null;

  @Column({ type: 'boolean', nullable: true })
  withinPassendLimit!: boolean | null;

  @Column({ type: 'boolean', nullable: true })
  passend!: boolean | null;

  @Column({ type: 'smallint' })
  householdSize!: number;

  @Column({ type: 'smallint', nullable: true })
  incomeYear!: number | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  normVersion!: string | null;

  @Column({ type: 'timestamptz' })
  decidedAt!: Date;

  @Column({ type: 'varchar', length: 200 })
  evidenceReference!: string;
}
