import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { AllocationOutcome, ExemptionGroup, HouseholdRole } from '@divit/contracts';
import { RegistrationEntity } from '../registrations/registration.entity';
import { AllocationEntity, AllocationMemberEntity } from './allocation.entity';

export interface AllocationMemberRow {
  id: string;
  position: number;
  role: HouseholdRole;
  adult: boolean;
  surnamePrefix: string | null;
  surname: string | null;
  birthDate: string | null;
}

export interface AllocationRow {
  id: string;
  registrationId: string;
  organisationId: string;
  lettingCorporationId: string;
  dwellingReference: string;
  monthlyRentCents: number;
  leaseStartDate: string;
  exemptionGroup: ExemptionGroup | null;
  members: AllocationMemberRow[];
}

/** An allocation as stored: as recorded, with its acceptance (the controller hand-over) once recorded. */
export interface StoredAllocationRow extends AllocationRow {
  acceptedOn: string | null;
  acceptedAt: Date | null;
}

/** What an allocation needs to know of a registration (read from the registrations table of this service). */
export interface AllocatedRegistration {
  id: string;
  organisationId: string;
  active: boolean;
  /** The validated birth date when the identity check succeeded, else the stated one. */
  birthDate: string;
}

const UNIQUE_VIOLATION = '23505';

/** The only TypeORM user of the allocations module. */
@Injectable()
export class AllocationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async registration(id: string): Promise<AllocatedRegistration | null> {
    const row = await this.dataSource.manager.findOne(RegistrationEntity, {
      where: { id },
      select: { id: true, organisationId: true, status: true, birthDate: true, validatedBirthDate: true },
    });
    if (!row) return null;
    return {
      id: row.id,
      organisationId: row.organisationId,
      active: row.status === 'ACTIVE',
      birthDate: row.validatedBirthDate ?? row.birthDate,
    };
  }

  async dwellingLeaseTaken(
    tx: EntityManager,
    key: Pick<AllocationRow, 'lettingCorporationId' | 'dwellingReference' | 'leaseStartDate'>,
  ): Promise<boolean> {
    const { lettingCorporationId, dwellingReference, leaseStartDate } = key;
    return (
      (await tx.count(AllocationEntity, {
        where: { lettingCorporationId, dwellingReference, leaseStartDate },
      })) > 0
    );
  }

  /** Inserts the allocation and its members; 'exists' when the dwelling/lease-start key is taken. */
  async insert(tx: EntityManager, allocation: AllocationRow): Promise<'inserted' | 'exists'> {
    const { members, ...row } = allocation;
    try {
      await tx.insert(AllocationEntity, row);
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        return 'exists';
      }
      throw error;
    }
    await tx.insert(
      AllocationMemberEntity,
      members.map((m) => ({ ...m, allocationId: allocation.id })),
    );
    return 'inserted';
  }

  /** The allocation's closure state, locked for the closing transaction. */
  async closureForUpdate(
    tx: EntityManager,
    id: string,
  ): Promise<Pick<
    AllocationEntity,
    'id' | 'registrationId' | 'organisationId' | 'lettingCorporationId' | 'closedOutcome' | 'closedAt'
  > | null> {
    return tx.findOne(AllocationEntity, {
      where: { id },
      select: {
        id: true,
        registrationId: true,
        organisationId: true,
        lettingCorporationId: true,
        closedOutcome: true,
        closedAt: true,
      },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async close(tx: EntityManager, id: string, outcome: AllocationOutcome, at: Date): Promise<void> {
    await tx.update(AllocationEntity, { id }, { closedOutcome: outcome, closedAt: at });
  }

  /** The allocation's acceptance state, locked for the accepting transaction. */
  async acceptanceForUpdate(
    tx: EntityManager,
    id: string,
  ): Promise<Pick<
    AllocationEntity,
    | 'id'
    | 'registrationId'
    | 'organisationId'
    | 'lettingCorporationId'
    | 'closedOutcome'
    | 'acceptedOn'
    | 'acceptedAt'
    | 'recordedAt'
  > | null> {
    return tx.findOne(AllocationEntity, {
      where: { id },
      select: {
        id: true,
        registrationId: true,
        organisationId: true,
        lettingCorporationId: true,
        closedOutcome: true,
        acceptedOn: true,
        acceptedAt: true,
        recordedAt: true,
      },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async accept(tx: EntityManager, id: string, acceptedOn: string, at: Date): Promise<void> {
    await tx.update(AllocationEntity, { id }, { acceptedOn, acceptedAt: at });
  }

  async find(id: string): Promise<StoredAllocationRow | null> {
    const row = await this.dataSource.manager.findOne(AllocationEntity, { where: { id } });
    if (!row) return null;
    const members = await this.dataSource.manager.find(AllocationMemberEntity, {
      where: { allocationId: id },
      order: { position: 'ASC' },
    });
    return {
      id: row.id,
      registrationId: row.registrationId,
      organisationId: row.organisationId,
      lettingCorporationId: row.lettingCorporationId,
      dwellingReference: row.dwellingReference,
      monthlyRentCents: row.monthlyRentCents,
      leaseStartDate: row.leaseStartDate,
      exemptionGroup: row.exemptionGroup,
      acceptedOn: row.acceptedOn,
      acceptedAt: row.acceptedAt,
      members: members.map((m) => ({
        id: m.id,
        position: m.position,
        role: m.role,
        adult: m.adult,
        surnamePrefix: m.surnamePrefix,
        surname: m.surname,
        birthDate: m.birthDate,
      })),
    };
  }
}
