import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/** Public keys consent receipts are signed with (from divit.consent.receipt-keys.v1). */
@Entity({ name: 'receipt_signing_keys' })
export class ReceiptSigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  keyId!: string;

  /** Raw Ed25519 public key, base64url (JWK x). Public data. */
  @Column({ type: 'varchar', length: 100 })
  publicKey!: string;

  @Column({ type: 'timestamptz' })
  activeFrom!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;

  @Column({ type: 'timestamptz' })
  publishedAt!: Date;
}

/** Consent state per consent id (from divit.consent.consents.v1): withdrawn receipts are refused. */
@Entity({ name: 'consents' })
export class ConsentStateEntity {
  @PrimaryColumn({ type: 'uuid' })
  consentId!: string;

  @Index('ix_consents_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 40 })
  purpose!: string;

  /** GRANTED | REFUSED | WITHDRAWN */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Identifying fields for the BV BSN check of one consent (processes 1 and 2), from IdentityCheckRequested.
 * Kept only until the check ends (success, failure, expiry, withdrawal) or the TTL passes, then deleted.
 */
@Entity({ name: 'identity_check_requests' })
export class IdentityCheckRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  consentId!: string;

  @Column({ type: 'uuid' })
  requestId!: string;

  @Index('ix_identity_check_requests_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 40 })
  purpose!: string;

  @Column({ type: 'varchar', length: 50, nullable: true })
  surnamePrefix!: string | null;

  @Column({ type: 'varchar', length: 200 })
  surname!: string;

  @Column({ type: 'varchar', length: 10 })
  birthDate!: string;

  @Column({ type: 'varchar', length: 1, nullable: true })
  genderMarker!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  postcode!: string | null;

  @Column({ type: 'integer', nullable: true })
  houseNumber!: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  houseNumberAddition!: string | null;

  @Column({ type: 'timestamptz' })
  receivedAt!: Date;
}

/** Surname and birth date an adult co-resident stated (process 4); deleted when the check ends. */
@Entity({ name: 'co_resident_identities' })
export class CoResidentIdentityEntity {
  @PrimaryColumn({ type: 'uuid' })
  memberId!: string;

  @Index('ix_co_resident_identities_allocation_id')
  @Column({ type: 'uuid' })
  allocationId!: string;

  @Column({ type: 'varchar', length: 50, nullable: true })
  surnamePrefix!: string | null;

  @Column({ type: 'varchar', length: 200 })
  surname!: string;

  @Column({ type: 'varchar', length: 10 })
  birthDate!: string;

  @Column({ type: 'timestamptz' })
  receivedAt!: Date;
}

/** Allocations (pseudonymous), for the letting corporation that allocation-time usage is attributed to. */
@Entity({ name: 'allocations' })
export class AllocationEntity {
  @PrimaryColumn({ type: 'uuid' })
  allocationId!: string;

  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  lettingCorporationId!: string;

  @Column({ type: 'boolean', default: false })
  closed!: boolean;

  /** Set for an exempted household (no income test): no sharing session may start for it (issue 16 item 4). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  exemptionGroup!: string | null;

  @Column({ type: 'timestamptz' })
  recordedAt!: Date;
}

/** One DvMG sharing session for one person and purpose, and its outcome. Never holds a plain BSN. */
@Entity({ name: 'sharing_sessions' })
@Index('ix_sharing_sessions_state_expires_at', ['state', 'expiresAt'])
export class SharingSessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** At most one open session per receipt (ux_sharing_sessions_receipt_id_open); see receiptRefusal. */
  @Index('ix_sharing_sessions_receipt_id')
  @Index('ux_sharing_sessions_receipt_id_open', {
    unique: true,
    where: `"state" IN ('AWAITING_DELIVERY', 'AWAITING_CONFIRMATION')`,
  })
  @Column({ type: 'varchar', length: 200 })
  receiptId!: string;

  @Index('ix_sharing_sessions_consent_id')
  @Column({ type: 'uuid' })
  consentId!: string;

  @Index('ix_sharing_sessions_registration_id')
  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 20 })
  subjectRole!: string;

  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'varchar', length: 40 })
  purpose!: string;

  /** AWAITING_DELIVERY | AWAITING_CONFIRMATION | VALIDATED | FAILED | SUPERSEDED */
  @Column({ type: 'varchar', length: 30 })
  state!: string;

  /** SHARED | ABORTED_BEFORE_LOGIN | ABORTED_AFTER_LOGIN | EXPIRED | FAILED (null while open) */
  @Column({ type: 'varchar', length: 30, nullable: true })
  sharingOutcome!: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  failureCode!: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** Keyed hash waiting for the person's confirmation (registration purposes); cleared at once after. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  pendingHash!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  pendingHashKeyId!: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  validatedSurnamePrefix!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  validatedSurname!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  validatedBirthDate!: string | null;
}

/** The keyed hash of a home seeker's BSN (with key id) and the validated surname and birth date. */
@Entity({ name: 'bsn_hashes' })
export class BsnHashEntity {
  @PrimaryColumn({ type: 'uuid' })
  registrationId!: string;

  @Index('ix_bsn_hashes_organisation_id')
  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  consentId!: string;

  @Column({ type: 'varchar', length: 32 })
  keyId!: string;

  /** HMAC-SHA256 (hex) under keyId. */
  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: 'varchar', length: 50, nullable: true })
  validatedSurnamePrefix!: string | null;

  @Column({ type: 'varchar', length: 200 })
  validatedSurname!: string;

  @Column({ type: 'varchar', length: 10 })
  validatedBirthDate!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  rehashedAt!: Date | null;
}

/** Billable MijnOverheid usage, once per session and unit (the unique key makes it exactly once). */
@Entity({ name: 'usage_records' })
@Unique('uq_usage_records_session_unit', ['sessionId', 'unit'])
export class UsageRecordEntity {
  @PrimaryColumn({ type: 'uuid' })
  usageId!: string;

  @Column({ type: 'uuid' })
  sessionId!: string;

  /** DIGID_LOGIN | DATA_SHARING */
  @Column({ type: 'varchar', length: 20 })
  unit!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid', nullable: true })
  lettingCorporationId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  allocationId!: string | null;

  @Column({ type: 'varchar', length: 40 })
  purpose!: string;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;
}
