import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The household income statement (digitale inkomensverklaring) kept as evidence for the accountant: per
 * member the shared and indexed income, factors, norms, consent ids and timestamps, and the conclusion.
 * Written once with the decision; income is present only when the test completed.
 */
@Entity({ name: 'income_statements' })
export class IncomeStatementEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_income_statements' })
  statementId!: string;

  @Index('ux_income_statements_allocation_id', { unique: true })
  @Column({ type: 'uuid' })
  allocationId!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  lettingCorporationId!: string;

  @Column({ type: 'uuid' })
  registrationId!: string;

  /** Whether `body` holds income (completed test); cleared by a USED_INCOME erasure. */
  @Column({ type: 'boolean' })
  containsIncome!: boolean;

  @Column({ type: 'jsonb' })
  body!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  /** End of the accountant's retention (default 31 December of the tax year + 2), null without income. */
  @Column({ type: 'date', nullable: true })
  retainUntil!: string | null;
}
