import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, FindOptionsWhere, In, Not } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  AllocationEntity,
  BsnHashEntity,
  CoResidentIdentityEntity,
  ConsentStateEntity,
  IdentityCheckRequestEntity,
  ReceiptSigningKeyEntity,
  SharingSessionEntity,
  UsageRecordEntity,
} from '../database/entities';

/** The states in which a session still waits for MijnOverheid or for the person (OPEN_STATES of session-lifecycle). */
const OPEN: SharingSessionEntity['state'][] = ['AWAITING_DELIVERY', 'AWAITING_CONFIRMATION'];

/**
 * Sharing sessions and what their use cases read and write: the consent state, the identifying data kept for a
 * check, allocations, the stored BSN hash, receipt keys and usage records (ADR 0025: the only place that queries
 * them for the sharing-session use cases). Methods taking `tx` run in the caller's transaction; the others on the
 * data source's manager.
 */
@Injectable()
export class SharingSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  // ------------------------------------------------------------------ sessions

  byId(id: string): Promise<SharingSessionEntity | null> {
    return this.dataSource.manager.findOne(SharingSessionEntity, { where: { id } });
  }

  /** The session, locked FOR UPDATE for the rest of the transaction. */
  lockById(tx: EntityManager, id: string): Promise<SharingSessionEntity | null> {
    return tx.findOne(SharingSessionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Every session started with the receipt. */
  byReceipt(receiptId: string): Promise<SharingSessionEntity[]> {
    return this.dataSource.manager.find(SharingSessionEntity, { where: { receiptId } });
  }

  /** The receipt's open sessions, locked FOR UPDATE. */
  lockOpenByReceipt(tx: EntityManager, receiptId: string): Promise<SharingSessionEntity[]> {
    return tx.find(SharingSessionEntity, {
      where: { receiptId, state: In(OPEN) },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Open sessions matching `where`, locked FOR UPDATE. */
  lockOpen(
    tx: EntityManager,
    where: { consentId?: string; allocationId?: string },
  ): Promise<SharingSessionEntity[]> {
    const filter: FindOptionsWhere<SharingSessionEntity> = { ...where, state: In(OPEN) };
    return tx.find(SharingSessionEntity, {
      where: filter,
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Whether the person has an open session for the purpose started with another receipt. */
  openWithAnotherReceipt(subjectId: string, purpose: string, receiptId: string): Promise<boolean> {
    return this.dataSource.manager.exists(SharingSessionEntity, {
      where: { subjectId, purpose, state: In(OPEN), receiptId: Not(receiptId) },
    });
  }

  async insert(tx: EntityManager, session: QueryDeepPartialEntity<SharingSessionEntity>): Promise<void> {
    await tx.insert(SharingSessionEntity, session);
  }

  async save(tx: EntityManager, session: SharingSessionEntity): Promise<void> {
    await tx.save(session);
  }

  /**
   * Up to `limit` open sessions past their deadline, oldest deadline first, locked FOR UPDATE SKIP LOCKED (another
   * replica's sweep or a delivery in progress keeps its own).
   */
  claimExpired(tx: EntityManager, now: Date, limit: number): Promise<SharingSessionEntity[]> {
    return tx
      .createQueryBuilder(SharingSessionEntity, 's')
      .where('s.state IN (:...states)', { states: OPEN })
      .andWhere('s.expires_at <= :now', { now })
      .orderBy('s.expires_at')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  // ------------------------------------------------------------------ what a session needs

  consentState(consentId: string): Promise<ConsentStateEntity | null> {
    return this.dataSource.manager.findOne(ConsentStateEntity, { where: { consentId } });
  }

  signingKey(keyId: string): Promise<ReceiptSigningKeyEntity | null> {
    return this.dataSource.manager.findOne(ReceiptSigningKeyEntity, { where: { keyId } });
  }

  identityCheckRequestKnown(consentId: string): Promise<boolean> {
    return this.dataSource.manager.exists(IdentityCheckRequestEntity, { where: { consentId } });
  }

  identityCheckRequest(tx: EntityManager, consentId: string): Promise<IdentityCheckRequestEntity | null> {
    return tx.findOne(IdentityCheckRequestEntity, { where: { consentId } });
  }

  /** Whether the allocation has arrived from registration (null: not yet) and whether it has ended. */
  allocationState(allocationId: string): Promise<Pick<AllocationEntity, 'closed' | 'exemptionGroup'> | null> {
    return this.dataSource.manager.findOne(AllocationEntity, {
      where: { allocationId },
      select: { allocationId: true, closed: true, exemptionGroup: true },
    });
  }

  allocation(tx: EntityManager, allocationId: string): Promise<AllocationEntity | null> {
    return tx.findOne(AllocationEntity, { where: { allocationId } });
  }

  coResidentIdentityKnown(memberId: string, allocationId: string): Promise<boolean> {
    return this.dataSource.manager.exists(CoResidentIdentityEntity, { where: { memberId, allocationId } });
  }

  coResidentIdentity(tx: EntityManager, memberId: string): Promise<CoResidentIdentityEntity | null> {
    return tx.findOne(CoResidentIdentityEntity, { where: { memberId } });
  }

  /** Deletes the identifying data kept for a check: the request by consent, and a co-resident's stated identity. */
  async deleteCheckData(
    tx: EntityManager,
    consentId: string,
    coResidentMemberId: string | null,
  ): Promise<void> {
    await tx.delete(IdentityCheckRequestEntity, { consentId });
    if (coResidentMemberId !== null)
      await tx.delete(CoResidentIdentityEntity, { memberId: coResidentMemberId });
  }

  /** Deletes identifying data received before `cutoff` that no open session needs (requests, then co-residents). */
  async deleteUnusedIdentityData(tx: EntityManager, cutoff: Date): Promise<void> {
    await tx
      .createQueryBuilder()
      .delete()
      .from(IdentityCheckRequestEntity)
      .where('received_at < :cutoff', { cutoff })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM sharing_sessions s WHERE s.consent_id = identity_check_requests.consent_id AND s.state IN ('AWAITING_DELIVERY','AWAITING_CONFIRMATION'))`,
      )
      .execute();
    await tx
      .createQueryBuilder()
      .delete()
      .from(CoResidentIdentityEntity)
      .where('received_at < :cutoff', { cutoff })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM sharing_sessions s WHERE s.subject_id = co_resident_identities.member_id AND s.state IN ('AWAITING_DELIVERY','AWAITING_CONFIRMATION'))`,
      )
      .execute();
  }

  // ------------------------------------------------------------------ BSN hash

  async upsertBsnHash(tx: EntityManager, hash: QueryDeepPartialEntity<BsnHashEntity>): Promise<void> {
    await tx.upsert(BsnHashEntity, hash, ['registrationId']);
  }

  /** The registration's stored BSN hash, locked FOR UPDATE (a rotation re-hashes it). */
  lockBsnHash(tx: EntityManager, registrationId: string): Promise<BsnHashEntity | null> {
    return tx.findOne(BsnHashEntity, { where: { registrationId }, lock: { mode: 'pessimistic_write' } });
  }

  async saveBsnHash(tx: EntityManager, hash: BsnHashEntity): Promise<void> {
    await tx.save(hash);
  }

  // ------------------------------------------------------------------ usage

  /** Inserts the usage record unless its id exists (ON CONFLICT DO NOTHING); true when the row is new. */
  async insertUsageOnce(
    tx: EntityManager,
    usage: QueryDeepPartialEntity<UsageRecordEntity>,
  ): Promise<boolean> {
    const inserted = await tx
      .createQueryBuilder()
      .insert()
      .into(UsageRecordEntity)
      .values(usage)
      .orIgnore()
      .returning(['usageId'])
      .execute();
    return (inserted.raw as unknown[]).length > 0;
  }
}
