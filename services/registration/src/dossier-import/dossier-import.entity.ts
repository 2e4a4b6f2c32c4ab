import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';

export type ImportMode = 'full' | 'delta';
/** DRY_RUN: a load run as a test (issue 16 item 14): counts and rejects kept, nothing else written. */
export type LoadStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'DRY_RUN';

/** Counters of one load (also the API and CLI result). */
export interface LoadCounts {
  rowsRead: number;
  rowsRejected: number;
  /** Rejected rows kept with their detail in dossier_import_rejects (the first by line, at most MAX_STORED_REJECTS). */
  rejectsStored?: number;
  rowsUnchanged: number;
  dossiersNew: number;
  dossiersChanged: number;
  dossiersDeleted: number;
  deletionsOfUnknownDossiers: number;
  registrationsCreated: number;
  registrationsUpdated: number;
  registrationsDeregistered: number;
  /**
   * Dossiers listed again (or changed) after their registration ended: each starts a new registration, announced
   * like a re-registration, instead of reviving the ended one. Absent in loads before issue 16.
   */
  dossiersRevived?: number;
  /** Registrations whose household members the load replaced (its leading dossier lists another household). */
  householdsUpdated?: number;
  duplicatesMerged: number;
}

/** One run of the import (full or delta) for one source system. */
@Entity({ name: 'dossier_import_loads' })
@Check('ck_dossier_import_loads_mode', `"mode" IN ('full', 'delta')`)
@Check('ck_dossier_import_loads_status', `"status" IN ('RUNNING', 'COMPLETED', 'FAILED', 'DRY_RUN')`)
@Index('ix_dossier_import_loads_source_started', ['sourceSystem', 'startedAt'])
export class DossierImportLoadEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 50 })
  sourceSystem!: string;

  @Column({ type: 'varchar', length: 5 })
  mode!: ImportMode;

  @Column({ type: 'varchar', length: 10 })
  status!: LoadStatus;

  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  counts!: LoadCounts | null;

  /** Why a load failed: an error code, never data from the file. */
  @Column({ type: 'varchar', length: 50, nullable: true })
  failureCode!: string | null;
}

/**
 * The concordance: old dossier number at a source system → new registration id. It also keeps the
 * dossier as last received (normalised), which the merge needs when another dossier of the same person
 * changes; this is the "import database" the migration protocol keeps for its retention period.
 */
@Entity({ name: 'dossier_concordance' })
@Index('ix_dossier_concordance_registration_id', ['registrationId'])
@Index('ix_dossier_concordance_person_key', ['personKey'])
export class DossierConcordanceEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 })
  sourceSystem!: string;

  @PrimaryColumn({ type: 'varchar', length: 50 })
  dossierNumber!: string;

  /**
   * The registration, or — once REGISTRATION_DATA erased it — its pseudonymous tombstone (`erased_registrations`):
   * no foreign key, because the concordance is kept three years after its last integration whatever happens to
   * the registration (MIGRATED_DOSSIERS dataset policy, docs/adr/0031).
   */
  @Column({ type: 'uuid' })
  registrationId!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  /** SHA-256 of the duplicate key (duplicate-rule.ts). */
  @Column({ type: 'bytea' })
  personKey!: Buffer;

  /** SHA-256 of the normalised row as last received; a delta applies a row only when this changes. */
  @Column({ type: 'bytea' })
  rowHash!: Buffer;

  @Column({ type: 'varchar', length: 20, nullable: true })
  surnamePrefix!: string | null;

  @Column({ type: 'varchar', length: 200 })
  surname!: string;

  @Column({ type: 'date' })
  birthDate!: string;

  @Column({ type: 'varchar', length: 1, nullable: true })
  genderMarker!: string | null;

  @Column({ type: 'varchar', length: 7 })
  postcode!: string;

  @Column({ type: 'integer' })
  houseNumber!: number;

  @Column({ type: 'varchar', length: 10, nullable: true })
  houseNumberAddition!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  @Column({ type: 'date' })
  registrationDate!: string;

  /** The household the dossier lists (ImportedHouseholdMember[]), or null when its file had none (issue 16 item 14). */
  @Column({ type: 'jsonb', nullable: true })
  household!: unknown[] | null;

  /** Set when the source removed the dossier (a `deleted` row, or absent from a full load). */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ type: 'uuid' })
  firstLoadId!: string;

  /** The load that last changed this row (an unchanged row keeps its earlier load id). */
  @Column({ type: 'uuid' })
  lastLoadId!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A rejected row of a load: line number, reasons and the row's fields (personal data: see retention). */
@Entity({ name: 'dossier_import_rejects' })
export class DossierImportRejectEntity {
  @PrimaryColumn({ type: 'uuid' })
  loadId!: string;

  @PrimaryColumn({ type: 'integer' })
  lineNumber!: number;

  @ManyToOne(() => DossierImportLoadEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'load_id', foreignKeyConstraintName: 'fk_dossier_import_rejects_load' })
  load?: DossierImportLoadEntity;

  @Column({ type: 'text' })
  reasons!: string;

  @Column({ type: 'jsonb' })
  record!: Record<string, string>;
}
