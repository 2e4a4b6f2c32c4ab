import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DataCategory } from '@divit/contracts';

/** An organisation's retention for one category, replacing the shipped default (within its min/max). */
@Entity({ name: 'retention_policy_overrides' })
export class PolicyOverrideEntity {
  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  category!: DataCategory;

  /** ISO-8601 duration. */
  @Column({ type: 'varchar', length: 40 })
  retention!: string;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column({ type: 'varchar', length: 200 })
  updatedBy!: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
