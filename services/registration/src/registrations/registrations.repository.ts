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

  /**
   * Whether `viewerOrganisationId` may see data of `organisationId` on `onDate`: its own, or a member's when
   * the viewer coordinates it (route B/C) on that date.
   */
  async canSee(
    tx: Tx,
    viewerOrganisationId: string,
    organisationId: string,
    onDate: string,
  ): Promise<boolean> {
    if (viewerOrganisationId === organisationId) return true;
    const rows = await tx.query<unknown[]>(
      `SELECT 1 FROM organisation_memberships
        WHERE organisation_id::text = $1 AND member_organisation_id::text = $2
          AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $3) LIMIT 1`,
      [viewerOrganisationId, organisationId, onDate],
    );
    return rows.length > 0;
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

  /** A registration the viewer may see, optionally locked for update; null when absent or not visible. */
  async findVisible(
    tx: Tx,
    id: string,
    viewerOrganisationId: string,
    onDate: string,
    lock = false,
  ): Promise<RegistrationEntity | null> {
    const query = tx.createQueryBuilder(RegistrationEntity, 'r').where('r.id = :id', { id });
    if (lock) query.setLock('pessimistic_write');
    const registration = await query.getOne();
    if (!registration) return null;
    return (await this.canSee(tx, viewerOrganisationId, registration.organisationId, onDate))
      ? registration
      : null;
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
