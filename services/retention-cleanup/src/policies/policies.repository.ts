import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { DataCategory } from '@divit/contracts';
import { PolicyOverrideEntity } from './policy-override.entity';
import { OrganisationAgreementEntity } from './organisation-agreement.entity';

export type Tx = EntityManager;

export interface OverrideRow {
  organisationId: string;
  category: DataCategory;
  retention: string;
  reason: string;
  updatedBy: string;
  updatedAt: Date;
}

export interface AdoptionRow {
  organisationId: string;
  agreementId: string;
  reason: string;
  adoptedBy: string;
  adoptedAt: Date;
}

/** The only TypeORM user of the policies module. */
@Injectable()
export class PoliciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  get manager(): Tx {
    return this.dataSource.manager;
  }

  async overrides(
    filter: { organisationId?: string; category?: DataCategory } = {},
    tx: Tx = this.dataSource.manager,
  ): Promise<OverrideRow[]> {
    return tx.find(PolicyOverrideEntity, { where: { ...filter }, order: { organisationId: 'ASC' } });
  }

  async override(tx: Tx, organisationId: string, category: DataCategory): Promise<OverrideRow | null> {
    return tx.findOne(PolicyOverrideEntity, { where: { organisationId, category } });
  }

  async upsert(tx: Tx, row: Omit<OverrideRow, 'updatedAt'>): Promise<void> {
    await tx.upsert(PolicyOverrideEntity, row, ['organisationId', 'category']);
  }

  async remove(tx: Tx, organisationId: string, category: DataCategory): Promise<boolean> {
    const result = await tx.delete(PolicyOverrideEntity, { organisationId, category });
    return (result.affected ?? 0) > 0;
  }

  /** The agreement an organisation adopted, if any (docs/adr/0036). */
  async adoption(tx: Tx, organisationId: string): Promise<AdoptionRow | null> {
    return tx.findOne(OrganisationAgreementEntity, { where: { organisationId } });
  }

  async adoptions(tx: Tx = this.dataSource.manager): Promise<AdoptionRow[]> {
    return tx.find(OrganisationAgreementEntity, { order: { organisationId: 'ASC' } });
  }

  async adopt(tx: Tx, row: Omit<AdoptionRow, 'adoptedAt'>): Promise<void> {
    await tx.upsert(OrganisationAgreementEntity, row, ['organisationId']);
  }

  async removeAdoption(tx: Tx, organisationId: string): Promise<boolean> {
    const result = await tx.delete(OrganisationAgreementEntity, { organisationId });
    return (result.affected ?? 0) > 0;
  }
}
