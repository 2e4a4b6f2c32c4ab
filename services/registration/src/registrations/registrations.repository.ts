import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { HouseholdMemberEntity, RegistrationEntity } from './registration.entity';

export type Tx = EntityManager;

/** The only TypeORM user of the registrations module. */
@Injectable()
export class RegistrationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  get manager(): Tx {
    return this.dataSource.manager;
  }

  async organisationExists(tx: Tx, organisationId: string): Promise<boolean> {
    return (
      (await tx.query<unknown[]>(`SELECT 1 FROM organisations WHERE id::text = $1`, [organisationId]))
        .length > 0
    );
  }

  async insert(
    tx: Tx,
    registration: Omit<RegistrationEntity, 'createdAt' | 'updatedAt' | 'organisation'>,
    household: Omit<HouseholdMemberEntity, 'createdAt' | 'registration'>[],
  ): Promise<void> {
    await tx.insert(RegistrationEntity, registration);
    if (household.length > 0) await tx.insert(HouseholdMemberEntity, household);
  }

  /** A registration, optionally locked for update; null when absent. */
  async find(tx: Tx, id: string, lock = false): Promise<RegistrationEntity | null> {
    const query = tx.createQueryBuilder(RegistrationEntity, 'r').where('r.id = :id', { id });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  household(tx: Tx, registrationId: string): Promise<HouseholdMemberEntity[]> {
    return tx.find(HouseholdMemberEntity, {
      where: { registrationId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async replaceHousehold(
    tx: Tx,
    registrationId: string,
    household: Omit<HouseholdMemberEntity, 'createdAt' | 'registration'>[],
  ): Promise<void> {
    await tx.delete(HouseholdMemberEntity, { registrationId });
    if (household.length > 0) await tx.insert(HouseholdMemberEntity, household);
  }

  async save(tx: Tx, registration: RegistrationEntity): Promise<void> {
    await tx.save(RegistrationEntity, registration);
  }
}
