import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { LegalHoldAuditEntity, LegalHoldEntity } from './legal-hold.entity';

/** Legal holds and their append-only audit (ADR 0025: the only place that queries these tables). */
@Injectable()
export class HoldsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Whether erasures are scheduled for the subject (as registration or subject) for another organisation. */
  async subjectOfAnotherOrganisation(
    tx: EntityManager,
    subjectId: string,
    organisationId: string,
  ): Promise<boolean> {
    const foreign = await tx.query<unknown[]>(
      `SELECT 1 FROM scheduled_erasures
        WHERE (registration_id = $1 OR subject_id = $1) AND organisation_id IS DISTINCT FROM $2 LIMIT 1`,
      [subjectId, organisationId],
    );
    return foreign.length > 0;
  }

  async insert(
    tx: EntityManager,
    hold: Omit<LegalHoldEntity, 'createdAt' | 'liftedBy' | 'liftedAt' | 'liftReason'>,
  ): Promise<void> {
    await tx.insert(LegalHoldEntity, hold);
  }

  async audit(
    tx: EntityManager,
    entry: Pick<LegalHoldAuditEntity, 'holdId' | 'action' | 'actor' | 'reason'>,
  ): Promise<void> {
    await tx.insert(LegalHoldAuditEntity, entry);
  }

  /** The hold, locked FOR UPDATE for the rest of the transaction. */
  lockById(tx: EntityManager, id: string): Promise<LegalHoldEntity | null> {
    return tx.findOne(LegalHoldEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async markLifted(
    tx: EntityManager,
    id: string,
    lift: Pick<LegalHoldEntity, 'liftedAt' | 'liftedBy' | 'liftReason'>,
  ): Promise<void> {
    await tx.update(LegalHoldEntity, { id }, lift);
  }

  byId(id: string): Promise<LegalHoldEntity | null> {
    return this.dataSource.manager.findOne(LegalHoldEntity, { where: { id } });
  }

  /** Newest first, at most 1000; `organisations` undefined: every organisation's (and platform-wide) holds. */
  list(organisations: string[] | undefined): Promise<LegalHoldEntity[]> {
    return this.dataSource.manager.find(LegalHoldEntity, {
      ...(organisations === undefined ? {} : { where: { organisationId: In(organisations) } }),
      order: { createdAt: 'DESC' },
      take: 1000,
    });
  }

  /** The audit in order, at most 10000 entries; `organisations` undefined: of every hold. */
  async auditEntries(organisations: string[] | undefined): Promise<LegalHoldAuditEntity[]> {
    return organisations === undefined
      ? await this.dataSource.manager.find(LegalHoldAuditEntity, { order: { id: 'ASC' }, take: 10000 })
      : await this.dataSource.manager
          .createQueryBuilder(LegalHoldAuditEntity, 'a')
          .innerJoin(LegalHoldEntity, 'h', 'h.id = a.holdId')
          .where('h.organisationId IN (:...organisations)', { organisations })
          .orderBy('a.id', 'ASC')
          .take(10000)
          .getMany();
  }
}
