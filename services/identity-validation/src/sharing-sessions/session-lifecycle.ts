import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IdentityFailureCode } from '@divit/contracts';
import { SharingSessionEntity } from '../database/entities';
import { BsnPurpose } from '../receipts/receipt-verifier';
import { IdentityEvents, ProcedureRef } from './identity.events';
import { SharingSessionsRepository } from './sharing-sessions.repository';

/**
 * SUPERSEDED: replaced by a new session started with the same receipt before anything was delivered.
 * ALLOCATION_CLOSED: the allocation it was for ended while it was open (issue 16 item 5): not a failure of the
 * person's identity validation, so no U-code, no IdentityValidationFailed and the stored hash stays.
 */
export type SessionState =
  'AWAITING_DELIVERY' | 'AWAITING_CONFIRMATION' | 'VALIDATED' | 'FAILED' | 'SUPERSEDED' | 'ALLOCATION_CLOSED';
export type SharingOutcome = 'SHARED' | 'ABORTED_BEFORE_LOGIN' | 'ABORTED_AFTER_LOGIN' | 'EXPIRED' | 'FAILED';
export const OPEN_STATES: SessionState[] = ['AWAITING_DELIVERY', 'AWAITING_CONFIRMATION'];

export function refOf(session: SharingSessionEntity): ProcedureRef {
  return {
    consentId: session.consentId,
    registrationId: session.registrationId,
    subjectId: session.subjectId,
    subjectRole: session.subjectRole as ProcedureRef['subjectRole'],
    purpose: session.purpose as BsnPurpose,
    allocationId: session.allocationId,
  };
}

/**
 * Ends procedures. A failure stops the digital procedure for the person, deletes everything kept for
 * the check at once (identifying fields, a hash waiting for confirmation, the validated name shown) and
 * publishes IdentityValidationFailed with its code; all in the caller's transaction.
 */
@Injectable()
export class SessionLifecycle {
  constructor(
    private readonly events: IdentityEvents,
    private readonly repository: SharingSessionsRepository,
  ) {}

  async fail(
    tx: EntityManager,
    session: SharingSessionEntity,
    failure: IdentityFailureCode,
    outcome: SharingOutcome | null,
    at: Date,
  ): Promise<void> {
    session.state = 'FAILED';
    session.failureCode = failure;
    if (outcome) session.sharingOutcome = outcome;
    session.completedAt = at;
    clearPending(session);
    await this.repository.save(tx, session);
    // A registration check that expired before MijnOverheid delivered anything never ran: its identifying
    // data (no BSN) stays for a restart with the same receipt, until IDENTITY_DATA_TTL_SECONDS like any
    // data for a check that has not started. Every other ending deletes it at once.
    if (!(failure === 'SESSION_EXPIRED' && !session.deliveredAt && isRegistrationPurpose(session)))
      await this.deleteCheckData(tx, session);
    await this.events.failed(tx, refOf(session), failure, at);
  }

  /**
   * The allocation this session was for has ended (lease signed elsewhere, withdrawn, refused) while the session
   * was open. Its own outcome, not a failure: the person did nothing wrong, so no IdentityValidationFailed is
   * published (which would make retention erase the registration's hashed BSN as a failed procedure, and the
   * next allocation fail U4 while registration still shows the identity as validated). Whatever was kept for
   * the session's check goes at once; a later delivery for it is refused as closed.
   */
  async endWithAllocation(tx: EntityManager, session: SharingSessionEntity, at: Date): Promise<void> {
    session.state = 'ALLOCATION_CLOSED';
    session.completedAt = at;
    clearPending(session);
    await this.repository.save(tx, session);
    await this.deleteCheckData(tx, session);
  }

  /** Deletes the identifying data kept for this session's check (the check has ended). */
  async deleteCheckData(tx: EntityManager, session: SharingSessionEntity): Promise<void> {
    await this.repository.deleteCheckData(
      tx,
      session.consentId,
      session.subjectRole === 'CO_RESIDENT' ? session.subjectId : null,
    );
  }

  /** Open sessions matching `where`, locked for update. */
  openSessions(
    tx: EntityManager,
    where: { consentId?: string; allocationId?: string },
  ): Promise<SharingSessionEntity[]> {
    return this.repository.lockOpen(tx, where);
  }
}

function isRegistrationPurpose(session: SharingSessionEntity): boolean {
  return session.purpose === 'BSN_AT_REGISTRATION' || session.purpose === 'BSN_FOR_EXISTING_REGISTRATION';
}

export function clearPending(session: SharingSessionEntity): void {
  session.pendingHash = null;
  session.pendingHashKeyId = null;
  session.validatedSurnamePrefix = null;
  session.validatedSurname = null;
  session.validatedBirthDate = null;
}
