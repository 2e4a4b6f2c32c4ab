import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Bsn } from '../bsn/bsn';
import { BsnHasher } from '../bsn/bsn-hasher';
import { SharingSessionEntity } from '../database/entities';
import { DvmgDataset } from '../dvmg/dvmg-dataset';
import { IdentityEvents } from './identity.events';
import { refOf, SessionLifecycle } from './session-lifecycle';
import { SharingSessionsRepository } from './sharing-sessions.repository';

/**
 * At allocation (process 3) the home seeker's shared BSN must hash to the hash stored at registration (U4
 * otherwise); a hash under a retired key is re-hashed with the active one while the BSN is at hand. In the
 * delivery's transaction.
 */
@Injectable()
export class AllocationHashMatch {
  constructor(
    private readonly repository: SharingSessionsRepository,
    private readonly events: IdentityEvents,
    private readonly lifecycle: SessionLifecycle,
    private readonly hasher: BsnHasher,
  ) {}

  /** Process 3: the shared BSN must hash to the hash stored at registration (U4 otherwise). */
  async atAllocation(
    tx: EntityManager,
    session: SharingSessionEntity,
    bsn: Bsn,
    dataset: DvmgDataset,
    now: Date,
  ): Promise<void> {
    const stored = await this.repository.lockBsnHash(tx, session.registrationId);
    if (!stored || !this.hasher.matches(bsn, { keyId: stored.keyId, hash: stored.hash }))
      return this.lifecycle.fail(tx, session, 'U4_HASH_MISMATCH', 'SHARED', now);
    if (stored.keyId !== this.hasher.activeKeyId) {
      // Rotation: re-hash with the active key while the BSN is at hand.
      const fresh = this.hasher.hash(bsn);
      stored.keyId = fresh.keyId;
      stored.hash = fresh.hash;
      stored.rehashedAt = now;
      await this.repository.saveBsnHash(tx, stored);
    }
    await this.succeed(tx, session, dataset, now);
  }

  /** The check at allocation passed: the session is validated and the shared income published. */
  async succeed(
    tx: EntityManager,
    session: SharingSessionEntity,
    dataset: DvmgDataset,
    now: Date,
  ): Promise<void> {
    session.state = 'VALIDATED';
    session.completedAt = now;
    await this.repository.save(tx, session);
    const ref = { ...refOf(session), allocationId: session.allocationId! };
    await this.events.incomeShared(tx, session.id, ref, dataset.income!, new Date(dataset.receivedAt));
    await this.events.validated(tx, ref, now);
  }
}
