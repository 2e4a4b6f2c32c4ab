import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  AllocationEntity,
  BsnHashEntity,
  CoResidentIdentityEntity,
  ConsentStateEntity,
  IdentityCheckRequestEntity,
  ReceiptSigningKeyEntity,
} from '../database/entities';

/**
 * What this service keeps from other services' events: receipt keys, consent states, identifying data for checks,
 * allocations; and the erasures they trigger (ADR 0025: the only place these writes are). Always in the consumer's
 * transaction `tx`.
 */
@Injectable()
export class PlatformEventsRepository {
  async upsertReceiptKey(
    tx: EntityManager,
    key: QueryDeepPartialEntity<ReceiptSigningKeyEntity>,
  ): Promise<void> {
    await tx.upsert(ReceiptSigningKeyEntity, key, ['keyId']);
  }

  /** A grant, unless the consent is known already: a later grant never revives a refused or withdrawn consent. */
  async insertGrantedConsent(
    tx: EntityManager,
    c: { consentId: string; registrationId: string; subjectId: string; purpose: string },
    grantedAt: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO consents (consent_id, registration_id, subject_id, purpose, status, updated_at)
       VALUES ($1, $2, $3, $4, 'GRANTED', $5) ON CONFLICT (consent_id) DO NOTHING`,
      [c.consentId, c.registrationId, c.subjectId, c.purpose, grantedAt],
    );
  }

  async upsertConsentState(
    tx: EntityManager,
    state: QueryDeepPartialEntity<ConsentStateEntity>,
  ): Promise<void> {
    await tx.upsert(ConsentStateEntity, state, ['consentId']);
  }

  /** Erases the registration's stored BSN hash; returns how many rows went. */
  async eraseBsnHash(tx: EntityManager, registrationId: string): Promise<number> {
    const erased = await tx.delete(BsnHashEntity, { registrationId });
    return erased.affected ?? 0;
  }

  async upsertIdentityCheckRequest(
    tx: EntityManager,
    request: QueryDeepPartialEntity<IdentityCheckRequestEntity>,
  ): Promise<void> {
    await tx.upsert(IdentityCheckRequestEntity, request, ['consentId']);
  }

  async deleteIdentityCheckRequests(
    tx: EntityManager,
    where: { consentId: string } | { registrationId: string },
  ): Promise<void> {
    await tx.delete(IdentityCheckRequestEntity, where);
  }

  async upsertCoResidentIdentity(
    tx: EntityManager,
    identity: QueryDeepPartialEntity<CoResidentIdentityEntity>,
  ): Promise<void> {
    await tx.upsert(CoResidentIdentityEntity, identity, ['memberId']);
  }

  async deleteCoResidentIdentities(
    tx: EntityManager,
    where: { memberId: string } | { allocationId: string },
  ): Promise<void> {
    await tx.delete(CoResidentIdentityEntity, where);
  }

  async upsertAllocation(
    tx: EntityManager,
    allocation: QueryDeepPartialEntity<AllocationEntity>,
  ): Promise<void> {
    await tx.upsert(AllocationEntity, allocation, ['allocationId']);
  }

  async closeAllocation(tx: EntityManager, allocationId: string): Promise<void> {
    await tx.update(AllocationEntity, { allocationId }, { closed: true });
  }
}
