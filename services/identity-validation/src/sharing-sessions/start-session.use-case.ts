import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { createLogger } from '@divit/observability';
import { Principal } from '@divit/service-kit';
import { SharingSessionEntity } from '../database/entities';
import { DvmgPort } from '../dvmg/dvmg.port';
import {
  BsnPurpose,
  ReceiptRejectedError,
  verifyReceipt,
  VerifiedReceipt,
} from '../receipts/receipt-verifier';
import { IDV_SETTINGS, IdvSettings } from '../common/settings';
import { REGISTRATION_PURPOSES } from './session-views';
import { SharingSessionsRepository } from './sharing-sessions.repository';
import { SharingSessionError } from './sharing-sessions.errors';

export interface StartedSession {
  sessionId: string;
  redirectUrl: string;
  expiresAt: string;
}

/**
 * Starts a sharing session with a verified consent receipt: the consent still granted, the receipt not used up, no
 * other open session for the person and purpose, the data the check needs arrived; then MijnOverheid is asked for a
 * session and the new session is stored (replacing an earlier one of the receipt nobody reported on).
 */
@Injectable()
export class StartSession {
  private readonly logger = createLogger('StartSession');

  constructor(
    private readonly repository: SharingSessionsRepository,
    @Inject(DvmgPort) private readonly dvmg: DvmgPort,
    @Inject(IDV_SETTINGS) private readonly settings: IdvSettings,
  ) {}

  async execute(
    principal: Principal,
    body: { receipt: string; purpose: BsnPurpose },
  ): Promise<StartedSession> {
    const receipt = await this.verify(body.receipt);
    if (receipt.purpose !== body.purpose)
      throw new SharingSessionError('RECEIPT_PURPOSE_MISMATCH', 'the receipt is for another purpose');
    if (receipt.organisationId !== principal.organisationId)
      throw new SharingSessionError(
        'RECEIPT_ORGANISATION_MISMATCH',
        'the receipt was given to another organisation',
      );
    const consent = await this.repository.consentState(receipt.consentId);
    if (consent && consent.status !== 'GRANTED')
      throw new SharingSessionError('CONSENT_WITHDRAWN', `the consent is ${consent.status.toLowerCase()}`);
    const earlier = await this.repository.byReceipt(receipt.receiptId);
    const refusal = receiptRefusal(receipt.purpose, earlier);
    if (refusal) throw new SharingSessionError('RECEIPT_ALREADY_USED', refusal);
    if (await this.repository.openWithAnotherReceipt(receipt.subjectId, receipt.purpose, receipt.receiptId))
      throw new SharingSessionError(
        'SESSION_ALREADY_ACTIVE',
        'a sharing session for this person and purpose is open',
      );
    await this.requirePrerequisites(receipt);

    const sessionId = randomUUID();
    const expiresAt = new Date(Date.now() + this.settings.sessionTimeoutSeconds * 1000);
    let redirectUrl: string;
    try {
      ({ redirectUrl } = await this.dvmg.startSharing({
        sessionId,
        kind: receipt.purpose === 'BSN_AND_INCOME_AT_ALLOCATION' ? 'BSN_AND_INCOME' : 'BSN',
        expiresAt,
        returnUrl: this.settings.returnUrl,
      }));
    } catch (error) {
      this.logger.error('DvMG did not start the sharing session', error, { sessionId });
      throw new SharingSessionError('DVMG_UNAVAILABLE', 'MijnOverheid could not be reached; try again', true);
    }
    let superseded: string[];
    try {
      superseded = await this.repository.transaction(async (tx) => {
        // An earlier session of this receipt that MijnOverheid has not reported on yet is replaced: the
        // person lost it (closed the page, or it was lost on a restart). Locked, so a delivery for it
        // either completed first (then the receipt is used) or is refused afterwards (session closed).
        const open = await this.repository.lockOpenByReceipt(tx, receipt.receiptId);
        const now = new Date();
        for (const session of open) {
          if (session.state !== 'AWAITING_DELIVERY' || session.deliveredAt)
            throw new SharingSessionError(
              'RECEIPT_ALREADY_USED',
              'MijnOverheid has already delivered for the session of this receipt',
            );
          session.state = 'SUPERSEDED';
          session.completedAt = now;
          await this.repository.save(tx, session);
        }
        await this.repository.insert(tx, {
          id: sessionId,
          receiptId: receipt.receiptId,
          consentId: receipt.consentId,
          registrationId: receipt.registrationId,
          subjectId: receipt.subjectId,
          subjectRole: receipt.subjectRole,
          allocationId: receipt.allocationId,
          organisationId: receipt.organisationId,
          purpose: receipt.purpose,
          state: 'AWAITING_DELIVERY',
          sharingOutcome: null,
          failureCode: null,
          expiresAt,
          deliveredAt: null,
          completedAt: null,
          pendingHash: null,
          pendingHashKeyId: null,
          validatedSurnamePrefix: null,
          validatedSurname: null,
          validatedBirthDate: null,
        });
        return open.map((s) => s.id);
      });
    } catch (error) {
      // ux_sharing_sessions_receipt_id_open: another start with this receipt won the race.
      if (error instanceof QueryFailedError && (error as { code?: string }).code === '23505')
        throw new SharingSessionError(
          'RECEIPT_ALREADY_USED',
          'a sharing session was already started with this receipt',
        );
      throw error;
    }
    if (superseded.length > 0)
      this.logger.info('sharing session restarted with the same receipt', { sessionId, superseded });
    this.logger.info('sharing session started', {
      sessionId,
      purpose: receipt.purpose,
      dvmg: this.dvmg.label,
    });
    return { sessionId, redirectUrl, expiresAt: expiresAt.toISOString() };
  }

  private async verify(compact: string): Promise<VerifiedReceipt> {
    try {
      return await verifyReceipt(compact, async (keyId) => this.repository.signingKey(keyId));
    } catch (error) {
      if (!(error instanceof ReceiptRejectedError)) throw error;
      throw new SharingSessionError(error.reason, error.message, error.reason === 'RECEIPT_KEY_UNKNOWN');
    }
  }

  private async requirePrerequisites(receipt: VerifiedReceipt): Promise<void> {
    if (REGISTRATION_PURPOSES.includes(receipt.purpose)) {
      if (receipt.subjectRole !== 'HOME_SEEKER')
        throw new SharingSessionError(
          'RECEIPT_MALFORMED',
          'registration purposes are for the home seeker only',
        );
      if (!(await this.repository.identityCheckRequestKnown(receipt.consentId)))
        throw new SharingSessionError(
          'IDENTITY_DATA_NOT_YET_RECEIVED',
          'the identifying data for the check has not arrived from registration yet; retry shortly',
          true,
        );
      return;
    }
    if (!receipt.allocationId)
      throw new SharingSessionError(
        'RECEIPT_MALFORMED',
        'an allocation receipt must name the allocation (aid)',
      );
    const allocation = await this.repository.allocationState(receipt.allocationId);
    if (!allocation)
      throw new SharingSessionError(
        'ALLOCATION_NOT_YET_RECEIVED',
        'the allocation has not arrived from registration yet; retry shortly',
        true,
      );
    if (allocation.exemptionGroup)
      throw new SharingSessionError(
        'ALLOCATION_EXEMPT',
        `the household is exempted from the income test (${allocation.exemptionGroup}): DIV-it may not be offered`,
      );
    if (allocation.closed)
      throw new SharingSessionError(
        'ALLOCATION_CLOSED',
        'the allocation has ended; no session can start for it',
      );
    if (
      receipt.subjectRole === 'CO_RESIDENT' &&
      !(await this.repository.coResidentIdentityKnown(receipt.subjectId, receipt.allocationId))
    )
      throw new SharingSessionError(
        'IDENTITY_DATA_NOT_YET_RECEIVED',
        "the co-resident's stated identity has not arrived from registration yet; retry shortly",
        true,
      );
  }
}

/**
 * Whether a consent receipt may start another sharing session (null) or why not. The receipt is the
 * person's consent; it is used up by a session MijnOverheid reported on (a delivery: shared or aborted)
 * or that ended for any other reason than expiring undelivered. A session nobody reported on did not use
 * the consent: while it still waits for a delivery, a new start replaces it (SUPERSEDED); after it
 * expired undelivered, the registration purposes may start again (registration takes a later validation
 * over the earlier failure). At allocation an expiry stops the whole household's digital procedure
 * (income-retrieval decides on the alternative route), so the receipt cannot start another session.
 * See docs/adr/0015-production-mode-and-simulators.md.
 */
export function receiptRefusal(
  purpose: BsnPurpose,
  earlier: readonly Pick<SharingSessionEntity, 'state' | 'failureCode' | 'deliveredAt'>[],
): string | null {
  for (const session of earlier) {
    if (session.state === 'SUPERSEDED') continue;
    if (session.state === 'ALLOCATION_CLOSED') return 'the allocation of this receipt has ended';
    if (session.deliveredAt) return 'a sharing session was already completed with this receipt';
    if (session.state === 'AWAITING_DELIVERY') continue; // replaced by the new start
    const expiredUndelivered = session.state === 'FAILED' && session.failureCode === 'SESSION_EXPIRED';
    if (!expiredUndelivered) return 'a sharing session was already completed with this receipt';
    if (!REGISTRATION_PURPOSES.includes(purpose))
      return 'the session of this receipt expired, which stopped the procedure at allocation (alternative route)';
  }
  return null;
}
