import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ConsentEntity } from './consent.entity';

/** Answers to showings: grants, refusals and withdrawals (ADR 0025: the only place that queries consents). */
@Injectable()
export class ConsentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Serialises answers for one registration for the rest of the transaction (advisory lock). */
  async lockRegistration(em: EntityManager, registrationId: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`consent:${registrationId}`]);
  }

  byShowing(em: EntityManager, showingId: string): Promise<ConsentEntity | null> {
    return em.findOne(ConsentEntity, { where: { showingId } });
  }

  /** The person's grant for this purpose (and allocation, or none) that is not withdrawn. */
  activeGrant(
    em: EntityManager,
    who: Pick<ConsentEntity, 'registrationId' | 'subjectId' | 'subjectRole' | 'purpose' | 'allocationId'>,
  ): Promise<ConsentEntity | null> {
    return em.findOne(ConsentEntity, {
      where: {
        registrationId: who.registrationId,
        subjectId: who.subjectId,
        subjectRole: who.subjectRole,
        purpose: who.purpose,
        allocationId: who.allocationId ?? IsNull(),
        answer: 'GRANTED',
        withdrawnAt: IsNull(),
      },
    });
  }

  async insert(em: EntityManager, row: ConsentEntity): Promise<void> {
    await em.insert(ConsentEntity, row);
  }

  async withdraw(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.update(ConsentEntity, { id }, { withdrawnAt: at });
  }

  byId(id: string): Promise<ConsentEntity | null> {
    return this.dataSource.manager.findOne(ConsentEntity, { where: { id } });
  }

  /** The consent, locked FOR UPDATE for the rest of the transaction. */
  lockById(em: EntityManager, id: string): Promise<ConsentEntity | null> {
    return em.findOne(ConsentEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** An organisation's answers for one allocation, oldest first. */
  forAllocation(organisationId: string, allocationId: string): Promise<ConsentEntity[]> {
    return this.dataSource.manager.find(ConsentEntity, {
      where: { allocationId, organisationId },
      order: { answeredAt: 'ASC' },
    });
  }

  /** An organisation's answers for one registration. */
  forRegistration(organisationId: string, registrationId: string): Promise<ConsentEntity[]> {
    return this.dataSource.manager.find(ConsentEntity, { where: { registrationId, organisationId } });
  }
}
