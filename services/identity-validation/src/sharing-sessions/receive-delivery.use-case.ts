import { Injectable } from '@nestjs/common';
import { IdentityFailureCode } from '@divit/contracts';
import { createLogger } from '@divit/observability';
import { Bsn } from '../bsn/bsn';
import {
  DeliveryEnvelope,
  dvmgDatasetSchema,
  DvmgDataset,
  verifyDeliverySignature,
} from '../dvmg/dvmg-dataset';
import { DvmgTrustStore } from '../dvmg/dvmg.port';
import { BsnPurpose } from '../receipts/receipt-verifier';
import { AllocationHashMatch } from './allocation-hash-match.use-case';
import { BvBsnCheck } from './bv-bsn-check.use-case';
import { IdentityEvents } from './identity.events';
import { SessionLifecycle, SessionState, SharingOutcome } from './session-lifecycle';
import { DeliveryAccepted, REGISTRATION_PURPOSES, usageRef } from './session-views';
import { SharingSessionsRepository } from './sharing-sessions.repository';
import { DeliveryError } from './sharing-sessions.errors';

/**
 * MijnOverheid's signed dataset for a session (server to server): verified, recorded as billable usage, then the
 * check of the session's purpose runs (BV BSN at registration or for a co-resident, the hash match at allocation).
 * A plain BSN exists only as a `Bsn` inside this use case, for the duration of the request.
 */
@Injectable()
export class ReceiveDelivery {
  private readonly logger = createLogger('ReceiveDelivery');

  constructor(
    private readonly repository: SharingSessionsRepository,
    private readonly events: IdentityEvents,
    private readonly lifecycle: SessionLifecycle,
    private readonly bvBsnCheck: BvBsnCheck,
    private readonly hashMatch: AllocationHashMatch,
    private readonly trust: DvmgTrustStore,
  ) {}

  async execute(envelope: DeliveryEnvelope): Promise<DeliveryAccepted> {
    const bytes = Buffer.from(envelope.dataset, 'base64url');
    if (!verifyDeliverySignature(this.trust.key, bytes, Buffer.from(envelope.signature, 'base64url'))) {
      this.logger.warn('DvMG delivery refused: signature does not verify');
      throw new DeliveryError(
        'DELIVERY_SIGNATURE_INVALID',
        'the dataset signature does not verify against the MijnOverheid key',
      );
    }
    let dataset: DvmgDataset;
    try {
      const parsed = dvmgDatasetSchema.safeParse(JSON.parse(bytes.toString('utf8')));
      if (!parsed.success)
        throw new DeliveryError(
          'DELIVERY_MALFORMED',
          `the dataset is invalid at ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`,
        );
      dataset = parsed.data;
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      throw new DeliveryError('DELIVERY_MALFORMED', 'the dataset is not JSON');
    }

    const now = new Date();
    const outcome = await this.repository.transaction(async (tx) => {
      const session = await this.repository.lockById(tx, dataset.sessionId);
      if (!session) return new DeliveryError('DELIVERY_SESSION_UNKNOWN', 'no such sharing session');
      if (session.state !== 'AWAITING_DELIVERY') {
        if (session.deliveredAt)
          return new DeliveryError('DELIVERY_REPLAYED', 'a dataset was already delivered for this session');
        if (session.sharingOutcome === 'EXPIRED')
          return new DeliveryError('DELIVERY_SESSION_EXPIRED', 'the sharing session has expired');
        return new DeliveryError('DELIVERY_SESSION_CLOSED', 'the sharing session no longer awaits a dataset');
      }
      if (session.expiresAt.getTime() <= now.getTime()) {
        await this.lifecycle.fail(tx, session, 'SESSION_EXPIRED', 'EXPIRED', now);
        return new DeliveryError('DELIVERY_SESSION_EXPIRED', 'the sharing session has expired');
      }
      session.deliveredAt = now;
      // Billable at MijnOverheid whatever happens next: the DigiD login, and the sharing itself.
      if (dataset.loggedIn || dataset.status === 'SHARED')
        await this.events.usage(tx, usageRef(session), 'DIGID_LOGIN', now);
      if (dataset.status === 'SHARED') await this.events.usage(tx, usageRef(session), 'DATA_SHARING', now);

      if (dataset.status === 'ABORTED') {
        const aborted = dataset.loggedIn ? 'ABORTED_AFTER_LOGIN' : 'ABORTED_BEFORE_LOGIN';
        await this.lifecycle.fail(tx, session, aborted, aborted, now);
        return session;
      }
      const expectedKind = session.purpose === 'BSN_AND_INCOME_AT_ALLOCATION' ? 'BSN_AND_INCOME' : 'BSN';
      if (
        dataset.kind !== expectedKind ||
        (expectedKind === 'BSN_AND_INCOME') !== (dataset.income !== null)
      ) {
        await this.lifecycle.fail(tx, session, 'TECHNICAL_ERROR', 'FAILED', now);
        return new DeliveryError(
          'DELIVERY_KIND_MISMATCH',
          `the session expects a dataset of kind ${expectedKind}`,
        );
      }
      const bsn = Bsn.parse(dataset.bsn);
      if (!bsn) {
        await this.lifecycle.fail(tx, session, 'TECHNICAL_ERROR', 'FAILED', now);
        return new DeliveryError(
          'DELIVERY_BSN_INVALID',
          'the delivered BSN fails the form check (9 digits, elfproef)',
        );
      }
      session.sharingOutcome = 'SHARED';
      if (REGISTRATION_PURPOSES.includes(session.purpose as BsnPurpose))
        await this.bvBsnCheck.atRegistration(tx, session, bsn, now);
      else if (session.subjectRole === 'HOME_SEEKER')
        await this.hashMatch.atAllocation(tx, session, bsn, dataset, now);
      else await this.bvBsnCheck.coResident(tx, session, bsn, dataset, now);
      return session;
    });
    if (outcome instanceof DeliveryError) throw outcome;
    this.logger.info('DvMG delivery processed', {
      sessionId: outcome.id,
      state: outcome.state,
      sharingOutcome: outcome.sharingOutcome,
      failureCode: outcome.failureCode,
    });
    return {
      sessionId: outcome.id,
      state: outcome.state as SessionState,
      sharingOutcome: outcome.sharingOutcome as SharingOutcome | null,
      failureCode: outcome.failureCode as IdentityFailureCode | null,
    };
  }
}
