import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AllocationClosed,
  AllocationRecorded,
  CoResidentIdentityProvided,
  ConsentGranted,
  ConsentRefused,
  ConsentWithdrawn,
  IdentityCheckRequested,
  ReceiptSigningKeyPublished,
  RegistrationDeregistered,
} from '@divit/contracts';
import { createLogger } from '@divit/observability';
import { BSN_PURPOSES, BsnPurpose } from '../receipts/receipt-verifier';
import { IdentityEvents } from '../sharing-sessions/identity.events';
import { SessionLifecycle } from '../sharing-sessions/session-lifecycle';
import { PlatformEventsRepository } from './platform-events.repository';

const isBsnPurpose = (p: string): p is BsnPurpose => (BSN_PURPOSES as readonly string[]).includes(p);

/** What this service learns from other services' events. Runs in the consumer's transaction (inbox). */
@Injectable()
export class PlatformEventsService {
  private readonly logger = createLogger('PlatformEventsService');

  constructor(
    private readonly events: IdentityEvents,
    private readonly lifecycle: SessionLifecycle,
    private readonly repository: PlatformEventsRepository,
  ) {}

  async receiptKey(tx: EntityManager, key: ReceiptSigningKeyPublished): Promise<void> {
    await this.repository.upsertReceiptKey(tx, {
      keyId: key.keyId,
      publicKey: key.publicKey,
      activeFrom: new Date(key.activeFrom),
      retiredAt: key.retiredAt === null ? null : new Date(key.retiredAt),
      publishedAt: new Date(key.publishedAt),
    });
  }

  async consentGranted(tx: EntityManager, c: ConsentGranted): Promise<void> {
    if (!isBsnPurpose(c.purpose)) return;
    // A later grant never revives a refused or withdrawn consent (events may arrive out of order).
    await this.repository.insertGrantedConsent(tx, c, new Date(c.grantedAt));
  }

  /** U1: consent refused for a BSN process. Published so income-retrieval (allocation) and registration learn it. */
  async consentRefused(tx: EntityManager, c: ConsentRefused): Promise<void> {
    if (!isBsnPurpose(c.purpose)) return;
    await this.setStatus(tx, c, 'REFUSED', new Date(c.refusedAt));
    await this.events.failed(
      tx,
      {
        consentId: c.consentId,
        registrationId: c.registrationId,
        subjectId: c.subjectId,
        subjectRole: c.subjectRole,
        purpose: c.purpose,
        allocationId: c.allocationId,
      },
      'U1_NO_CONSENT',
      new Date(c.refusedAt),
    );
  }

  /**
   * Withdrawal is effective at once: the stored hash of the person's BSN is erased, open sessions under
   * the consent stop (U1) and identifying data kept for its check is deleted.
   */
  async consentWithdrawn(tx: EntityManager, c: ConsentWithdrawn): Promise<void> {
    if (!isBsnPurpose(c.purpose)) return;
    const at = new Date(c.withdrawnAt);
    await this.setStatus(tx, c, 'WITHDRAWN', at);
    if (c.subjectRole === 'HOME_SEEKER') {
      const erased = await this.repository.eraseBsnHash(tx, c.registrationId);
      this.logger.info('hashed BSN erased on withdrawal', {
        registrationId: c.registrationId,
        erased,
      });
    }
    for (const session of await this.lifecycle.openSessions(tx, { consentId: c.consentId }))
      await this.lifecycle.fail(tx, session, 'U1_NO_CONSENT', null, at);
    await this.repository.deleteIdentityCheckRequests(tx, { consentId: c.consentId });
    if (c.subjectRole === 'CO_RESIDENT')
      await this.repository.deleteCoResidentIdentities(tx, { memberId: c.subjectId });
  }

  async identityCheckRequested(tx: EntityManager, r: IdentityCheckRequested): Promise<void> {
    await this.repository.upsertIdentityCheckRequest(tx, {
      consentId: r.consentId,
      requestId: r.requestId,
      registrationId: r.registrationId,
      subjectId: r.subjectId,
      purpose: r.purpose,
      surnamePrefix: r.surnamePrefix,
      surname: r.surname,
      birthDate: r.birthDate,
      genderMarker: r.genderMarker,
      postcode: r.postcode,
      houseNumber: r.houseNumber,
      houseNumberAddition: r.houseNumberAddition,
      receivedAt: new Date(r.requestedAt),
    });
  }

  async coResidentIdentity(tx: EntityManager, r: CoResidentIdentityProvided): Promise<void> {
    await this.repository.upsertCoResidentIdentity(tx, {
      memberId: r.memberId,
      allocationId: r.allocationId,
      surnamePrefix: r.surnamePrefix,
      surname: r.surname,
      birthDate: r.birthDate,
      receivedAt: new Date(r.occurredAt),
    });
  }

  async allocationRecorded(tx: EntityManager, a: AllocationRecorded): Promise<void> {
    await this.repository.upsertAllocation(tx, {
      allocationId: a.allocationId,
      registrationId: a.registrationId,
      organisationId: a.organisationId,
      lettingCorporationId: a.lettingCorporationId,
      exemptionGroup: a.exemptionGroup,
      closed: false,
      recordedAt: new Date(a.occurredAt),
    });
  }

  /** The allocation ended: open sessions for it stop, stated co-resident data goes. */
  async allocationClosed(tx: EntityManager, a: AllocationClosed): Promise<void> {
    await this.repository.closeAllocation(tx, a.allocationId);
    await this.repository.deleteCoResidentIdentities(tx, { allocationId: a.allocationId });
    for (const session of await this.lifecycle.openSessions(tx, { allocationId: a.allocationId }))
      await this.lifecycle.endWithAllocation(tx, session, new Date(a.closedAt));
  }

  /** End of registration: the hash is no longer needed. */
  async registrationDeregistered(tx: EntityManager, r: RegistrationDeregistered): Promise<void> {
    await this.repository.eraseBsnHash(tx, r.registrationId);
    await this.repository.deleteIdentityCheckRequests(tx, { registrationId: r.registrationId });
  }

  private async setStatus(
    tx: EntityManager,
    c: { consentId: string; registrationId: string; subjectId: string; purpose: string },
    status: 'REFUSED' | 'WITHDRAWN',
    at: Date,
  ): Promise<void> {
    await this.repository.upsertConsentState(tx, {
      consentId: c.consentId,
      registrationId: c.registrationId,
      subjectId: c.subjectId,
      purpose: c.purpose,
      status,
      updatedAt: at,
    });
  }
}
