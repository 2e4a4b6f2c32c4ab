import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, Not, QueryFailedError } from 'typeorm';
import { IdentityFailureCode } from '@divit/contracts';
import { createLogger } from '@divit/observability';
import { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { Bsn } from '../bsn/bsn';
import { BsnHasher } from '../bsn/bsn-hasher';
import { BvBsnAnswer, BvBsnPort, BvBsnUnavailableError } from '../bvbsn/bvbsn.port';
import { toBvBsnGender, zoekpadenFor } from '../bvbsn/zoekpad';
import {
  AllocationEntity,
  BsnHashEntity,
  CoResidentIdentityEntity,
  ConsentStateEntity,
  IdentityCheckRequestEntity,
  ReceiptSigningKeyEntity,
  SharingSessionEntity,
} from '../database/entities';
import {
  DeliveryEnvelope,
  dvmgDatasetSchema,
  DvmgDataset,
  verifyDeliverySignature,
} from '../dvmg/dvmg-dataset';
import { DvmgPort, DvmgTrustStore } from '../dvmg/dvmg.port';
import {
  BsnPurpose,
  ReceiptRejectedError,
  verifyReceipt,
  VerifiedReceipt,
} from '../receipts/receipt-verifier';
import { IDV_SETTINGS, IdvSettings } from '../common/settings';
import { IdentityEvents } from './identity.events';
import {
  clearPending,
  OPEN_STATES,
  refOf,
  SessionLifecycle,
  SessionState,
  SharingOutcome,
} from './session-lifecycle';
import { DeliveryError, SharingSessionError } from './sharing-sessions.errors';

export interface StartedSession {
  sessionId: string;
  redirectUrl: string;
  expiresAt: string;
}

export interface SessionView {
  sessionId: string;
  purpose: BsnPurpose;
  subjectRole: string;
  registrationId: string;
  subjectId: string;
  allocationId: string | null;
  state: SessionState;
  sharingOutcome: SharingOutcome | null;
  failureCode: IdentityFailureCode | null;
  expiresAt: string;
  createdAt: string;
  completedAt: string | null;
  /** Only while waiting for the person's confirmation (registration purposes): what BV BSN knows. Never the BSN. */
  validatedIdentity: { surnamePrefix: string | null; surname: string; birthDate: string } | null;
}

export interface DeliveryAccepted {
  sessionId: string;
  state: SessionState;
  sharingOutcome: SharingOutcome | null;
  failureCode: IdentityFailureCode | null;
}

const REGISTRATION_PURPOSES: readonly BsnPurpose[] = ['BSN_AT_REGISTRATION', 'BSN_FOR_EXISTING_REGISTRATION'];

/**
 * The sharing-session use cases: start (with a verified consent receipt), receive MijnOverheid's signed
 * dataset, run the BV BSN check or the hash match, let the person confirm, and expire what is left.
 * A plain BSN exists only as a `Bsn` inside `receiveDelivery`, for the duration of that request.
 */
@Injectable()
export class SharingSessionsService {
  private readonly logger = createLogger('SharingSessionsService');

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: IdentityEvents,
    private readonly lifecycle: SessionLifecycle,
    private readonly accessLog: AccessLogService,
    private readonly hasher: BsnHasher,
    private readonly trust: DvmgTrustStore,
    @Inject(BvBsnPort) private readonly bvbsn: BvBsnPort,
    @Inject(DvmgPort) private readonly dvmg: DvmgPort,
    @Inject(IDV_SETTINGS) private readonly settings: IdvSettings,
  ) {}

  // ------------------------------------------------------------------ start

  async start(principal: Principal, body: { receipt: string; purpose: BsnPurpose }): Promise<StartedSession> {
    const receipt = await this.verify(body.receipt);
    if (receipt.purpose !== body.purpose)
      throw new SharingSessionError('RECEIPT_PURPOSE_MISMATCH', 'the receipt is for another purpose');
    if (receipt.organisationId !== principal.organisationId)
      throw new SharingSessionError(
        'RECEIPT_ORGANISATION_MISMATCH',
        'the receipt was given to another organisation',
      );
    const em = this.dataSource.manager;
    const consent = await em.findOne(ConsentStateEntity, { where: { consentId: receipt.consentId } });
    if (consent && consent.status !== 'GRANTED')
      throw new SharingSessionError('CONSENT_WITHDRAWN', `the consent is ${consent.status.toLowerCase()}`);
    const earlier = await em.find(SharingSessionEntity, { where: { receiptId: receipt.receiptId } });
    const refusal = receiptRefusal(receipt.purpose, earlier);
    if (refusal) throw new SharingSessionError('RECEIPT_ALREADY_USED', refusal);
    if (
      await em.exists(SharingSessionEntity, {
        where: {
          subjectId: receipt.subjectId,
          purpose: receipt.purpose,
          state: In(OPEN_STATES),
          receiptId: Not(receipt.receiptId),
        },
      })
    )
      throw new SharingSessionError(
        'SESSION_ALREADY_ACTIVE',
        'a sharing session for this person and purpose is open',
      );
    await this.requirePrerequisites(em, receipt);

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
      superseded = await this.dataSource.transaction(async (tx) => {
        // An earlier session of this receipt that MijnOverheid has not reported on yet is replaced: the
        // person lost it (closed the page, or it was lost on a restart). Locked, so a delivery for it
        // either completed first (then the receipt is used) or is refused afterwards (session closed).
        const open = await tx.find(SharingSessionEntity, {
          where: { receiptId: receipt.receiptId, state: In(OPEN_STATES) },
          lock: { mode: 'pessimistic_write' },
        });
        const now = new Date();
        for (const session of open) {
          if (session.state !== 'AWAITING_DELIVERY' || session.deliveredAt)
            throw new SharingSessionError(
              'RECEIPT_ALREADY_USED',
              'MijnOverheid has already delivered for the session of this receipt',
            );
          session.state = 'SUPERSEDED';
          session.completedAt = now;
          await tx.save(session);
        }
        await tx.insert(SharingSessionEntity, {
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
      return await verifyReceipt(compact, async (keyId) =>
        this.dataSource.manager.findOne(ReceiptSigningKeyEntity, { where: { keyId } }),
      );
    } catch (error) {
      if (!(error instanceof ReceiptRejectedError)) throw error;
      throw new SharingSessionError(error.reason, error.message, error.reason === 'RECEIPT_KEY_UNKNOWN');
    }
  }

  private async requirePrerequisites(em: EntityManager, receipt: VerifiedReceipt): Promise<void> {
    if (REGISTRATION_PURPOSES.includes(receipt.purpose)) {
      if (receipt.subjectRole !== 'HOME_SEEKER')
        throw new SharingSessionError(
          'RECEIPT_MALFORMED',
          'registration purposes are for the home seeker only',
        );
      if (!(await em.exists(IdentityCheckRequestEntity, { where: { consentId: receipt.consentId } })))
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
    if (!(await em.exists(AllocationEntity, { where: { allocationId: receipt.allocationId } })))
      throw new SharingSessionError(
        'ALLOCATION_NOT_YET_RECEIVED',
        'the allocation has not arrived from registration yet; retry shortly',
        true,
      );
    if (
      receipt.subjectRole === 'CO_RESIDENT' &&
      !(await em.exists(CoResidentIdentityEntity, {
        where: { memberId: receipt.subjectId, allocationId: receipt.allocationId },
      }))
    )
      throw new SharingSessionError(
        'IDENTITY_DATA_NOT_YET_RECEIVED',
        "the co-resident's stated identity has not arrived from registration yet; retry shortly",
        true,
      );
  }

  // ------------------------------------------------------------------ read and confirm

  async get(principal: Principal, sessionId: string): Promise<SessionView> {
    const session = await this.dataSource.manager.findOne(SharingSessionEntity, { where: { id: sessionId } });
    if (!session || session.organisationId !== principal.organisationId)
      throw new SharingSessionError('SESSION_NOT_FOUND', 'no such sharing session');
    const view = toView(session);
    if (view.validatedIdentity)
      await this.accessLog.record(sessionEntry(principal, 'VALIDATED_IDENTITY_READ', session));
    return view;
  }

  async confirm(principal: Principal, sessionId: string, agrees: boolean): Promise<SessionView> {
    const now = new Date();
    const result = await this.dataSource.transaction(async (tx) => {
      const session = await tx.findOne(SharingSessionEntity, {
        where: { id: sessionId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session || session.organisationId !== principal.organisationId)
        return new SharingSessionError('SESSION_NOT_FOUND', 'no such sharing session');
      if (session.state !== 'AWAITING_CONFIRMATION')
        return new SharingSessionError(
          'SESSION_NOT_AWAITING_CONFIRMATION',
          `the session is ${session.state}`,
        );
      if (session.expiresAt.getTime() <= now.getTime()) {
        await this.lifecycle.fail(tx, session, 'SESSION_EXPIRED', null, now);
        return new SharingSessionError(
          'SESSION_NOT_AWAITING_CONFIRMATION',
          'the session expired before confirmation',
        );
      }
      await this.accessLog.record(
        sessionEntry(principal, agrees ? 'IDENTITY_CONFIRMED' : 'IDENTITY_DISPUTED', session),
        tx,
      );
      if (!agrees) {
        await this.lifecycle.fail(tx, session, 'U2_DATA_DISPUTED', null, now);
        return session;
      }
      const identity = {
        surnamePrefix: session.validatedSurnamePrefix,
        surname: session.validatedSurname!,
        birthDate: session.validatedBirthDate!,
      };
      await tx.upsert(
        BsnHashEntity,
        {
          registrationId: session.registrationId,
          organisationId: session.organisationId,
          consentId: session.consentId,
          keyId: session.pendingHashKeyId!,
          hash: session.pendingHash!,
          validatedSurnamePrefix: identity.surnamePrefix,
          validatedSurname: identity.surname,
          validatedBirthDate: identity.birthDate,
          createdAt: now,
          rehashedAt: null,
        },
        ['registrationId'],
      );
      session.state = 'VALIDATED';
      session.completedAt = now;
      clearPending(session);
      await tx.save(session);
      await this.events.validated(tx, refOf(session), now);
      await this.events.validatedIdentity(tx, refOf(session), identity, now);
      return session;
    });
    if (result instanceof SharingSessionError) throw result;
    return toView(result);
  }

  // ------------------------------------------------------------------ delivery (server-to-server)

  async receiveDelivery(envelope: DeliveryEnvelope): Promise<DeliveryAccepted> {
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
    const outcome = await this.dataSource.transaction(async (tx) => {
      const session = await tx.findOne(SharingSessionEntity, {
        where: { id: dataset.sessionId },
        lock: { mode: 'pessimistic_write' },
      });
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
        await this.checkAtRegistration(tx, session, bsn, now);
      else if (session.subjectRole === 'HOME_SEEKER')
        await this.matchAtAllocation(tx, session, bsn, dataset, now);
      else await this.checkCoResident(tx, session, bsn, dataset, now);
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

  /** Processes 1 and 2: BV BSN zoekpad 2 (then 1 for a new registration); the person confirms after. */
  private async checkAtRegistration(tx: EntityManager, session: SharingSessionEntity, bsn: Bsn, now: Date) {
    const request = await tx.findOne(IdentityCheckRequestEntity, { where: { consentId: session.consentId } });
    if (!request) {
      await this.lifecycle.fail(tx, session, 'TECHNICAL_ERROR', 'SHARED', now);
      return;
    }
    const answer = await this.bvBsnOrNull(() =>
      this.checkRegistrationIdentity(session.purpose as BsnPurpose, request, bsn),
    );
    if (answer === null) return this.lifecycle.fail(tx, session, 'TECHNICAL_ERROR', 'SHARED', now);
    if (!answer.found) return this.lifecycle.fail(tx, session, 'U3_BSN_CHECK_FAILED', 'SHARED', now);
    const hash = this.hasher.hash(bsn);
    session.state = 'AWAITING_CONFIRMATION';
    session.pendingHash = hash.hash;
    session.pendingHashKeyId = hash.keyId;
    session.validatedSurnamePrefix = answer.person.surnamePrefix;
    session.validatedSurname = answer.person.surname;
    session.validatedBirthDate = answer.person.birthDate;
    session.expiresAt = new Date(now.getTime() + this.settings.sessionTimeoutSeconds * 1000);
    await tx.save(session);
    // The check has ended: gender, postcode and house number are no longer needed.
    await this.lifecycle.deleteCheckData(tx, session);
  }

  private async checkRegistrationIdentity(
    purpose: BsnPurpose,
    request: IdentityCheckRequestEntity,
    bsn: Bsn,
  ): Promise<BvBsnAnswer> {
    const gender = toBvBsnGender(request.genderMarker);
    for (const zoekpad of zoekpadenFor(purpose)) {
      if (zoekpad === 2) {
        const answer = await this.bvbsn.check({
          zoekpad: 2,
          bsn,
          surname: request.surname,
          birthDate: request.birthDate,
          gender,
        });
        if (answer.found) return answer;
      } else if (request.postcode && request.houseNumber !== null) {
        const answer = await this.bvbsn.check({
          zoekpad: 1,
          bsn,
          birthDate: request.birthDate,
          gender,
          postcode: request.postcode,
          houseNumber: request.houseNumber,
          houseNumberAddition: request.houseNumberAddition,
        });
        if (answer.found) return answer;
      }
    }
    return { found: false };
  }

  /** Process 3: the shared BSN must hash to the hash stored at registration (U4 otherwise). */
  private async matchAtAllocation(
    tx: EntityManager,
    session: SharingSessionEntity,
    bsn: Bsn,
    dataset: DvmgDataset,
    now: Date,
  ): Promise<void> {
    const stored = await tx.findOne(BsnHashEntity, {
      where: { registrationId: session.registrationId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!stored || !this.hasher.matches(bsn, { keyId: stored.keyId, hash: stored.hash }))
      return this.lifecycle.fail(tx, session, 'U4_HASH_MISMATCH', 'SHARED', now);
    if (stored.keyId !== this.hasher.activeKeyId) {
      // Rotation: re-hash with the active key while the BSN is at hand.
      const fresh = this.hasher.hash(bsn);
      stored.keyId = fresh.keyId;
      stored.hash = fresh.hash;
      stored.rehashedAt = now;
      await tx.save(stored);
    }
    await this.succeedAtAllocation(tx, session, dataset, now);
  }

  /** Process 4: the co-resident's stated surname and birth date are checked through BV BSN with the shared BSN. */
  private async checkCoResident(
    tx: EntityManager,
    session: SharingSessionEntity,
    bsn: Bsn,
    dataset: DvmgDataset,
    now: Date,
  ): Promise<void> {
    const stated = await tx.findOne(CoResidentIdentityEntity, { where: { memberId: session.subjectId } });
    if (!stated) return this.lifecycle.fail(tx, session, 'TECHNICAL_ERROR', 'SHARED', now);
    const answer = await this.bvBsnOrNull(() =>
      this.bvbsn.check({
        zoekpad: 2,
        bsn,
        surname: stated.surname,
        birthDate: stated.birthDate,
        gender: null,
      }),
    );
    if (answer === null) return this.lifecycle.fail(tx, session, 'TECHNICAL_ERROR', 'SHARED', now);
    if (!answer.found) return this.lifecycle.fail(tx, session, 'U3_BSN_CHECK_FAILED', 'SHARED', now);
    await this.lifecycle.deleteCheckData(tx, session);
    await this.succeedAtAllocation(tx, session, dataset, now);
  }

  private async succeedAtAllocation(
    tx: EntityManager,
    session: SharingSessionEntity,
    dataset: DvmgDataset,
    now: Date,
  ): Promise<void> {
    session.state = 'VALIDATED';
    session.completedAt = now;
    await tx.save(session);
    const ref = { ...refOf(session), allocationId: session.allocationId! };
    await this.events.incomeShared(tx, session.id, ref, dataset.income!, new Date(dataset.receivedAt));
    await this.events.validated(tx, ref, now);
  }

  private async bvBsnOrNull(call: () => Promise<BvBsnAnswer>): Promise<BvBsnAnswer | null> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof BvBsnUnavailableError) {
        this.logger.warn('BV BSN unavailable: technical error', {
          bvbsn: this.bvbsn.label,
          reason: error.message,
        });
        return null;
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------ expiry

  /** Expires open sessions past their deadline and deletes identifying data nobody used. Returns the count. */
  async expireDue(now = new Date()): Promise<number> {
    const expired = await this.dataSource.transaction(async (tx) => {
      const due = await tx
        .createQueryBuilder(SharingSessionEntity, 's')
        .where('s.state IN (:...states)', { states: OPEN_STATES })
        .andWhere('s.expires_at <= :now', { now })
        .orderBy('s.expires_at')
        .limit(200)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const session of due)
        await this.lifecycle.fail(
          tx,
          session,
          'SESSION_EXPIRED',
          session.state === 'AWAITING_DELIVERY' ? 'EXPIRED' : null,
          now,
        );
      const cutoff = new Date(now.getTime() - this.settings.identityDataTtlSeconds * 1000);
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
      return due.length;
    });
    if (expired > 0) this.logger.info('sharing sessions expired', { count: expired });
    return expired;
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
    if (session.deliveredAt) return 'a sharing session was already completed with this receipt';
    if (session.state === 'AWAITING_DELIVERY') continue; // replaced by the new start
    const expiredUndelivered = session.state === 'FAILED' && session.failureCode === 'SESSION_EXPIRED';
    if (!expiredUndelivered) return 'a sharing session was already completed with this receipt';
    if (!REGISTRATION_PURPOSES.includes(purpose))
      return 'the session of this receipt expired, which stopped the procedure at allocation (alternative route)';
  }
  return null;
}

function usageRef(session: SharingSessionEntity) {
  return {
    id: session.id,
    organisationId: session.organisationId,
    allocationId: session.allocationId,
    purpose: session.purpose as BsnPurpose,
  };
}

function toView(session: SharingSessionEntity): SessionView {
  const awaiting =
    session.state === 'AWAITING_CONFIRMATION' && session.validatedSurname && session.validatedBirthDate;
  return {
    sessionId: session.id,
    purpose: session.purpose as BsnPurpose,
    subjectRole: session.subjectRole,
    registrationId: session.registrationId,
    subjectId: session.subjectId,
    allocationId: session.allocationId,
    state: session.state as SessionState,
    sharingOutcome: session.sharingOutcome as SharingOutcome | null,
    failureCode: session.failureCode as IdentityFailureCode | null,
    expiresAt: session.expiresAt.toISOString(),
    createdAt: session.createdAt.toISOString(),
    completedAt: session.completedAt?.toISOString() ?? null,
    validatedIdentity: awaiting
      ? {
          surnamePrefix: session.validatedSurnamePrefix,
          surname: session.validatedSurname!,
          birthDate: session.validatedBirthDate!,
        }
      : null,
  };
}

/** The access-log entry for a sharing session: the session is the resource, its registration the erasure scope. */
function sessionEntry(
  principal: Principal,
  action: string,
  session: Pick<
    SharingSessionEntity,
    'id' | 'organisationId' | 'registrationId' | 'allocationId' | 'purpose'
  >,
) {
  return {
    principal,
    action,
    resourceType: 'sharing-session',
    resourceId: session.id,
    organisationId: session.organisationId,
    registrationId: session.registrationId,
    allocationId: session.allocationId,
    purpose: session.purpose,
  };
}
