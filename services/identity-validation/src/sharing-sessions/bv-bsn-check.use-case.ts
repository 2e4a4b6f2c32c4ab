import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { createLogger } from '@divit/observability';
import { Bsn } from '../bsn/bsn';
import { BsnHasher } from '../bsn/bsn-hasher';
import { BvBsnAnswer, BvBsnPort, BvBsnUnavailableError } from '../bvbsn/bvbsn.port';
import { toBvBsnGender, zoekpadenFor } from '../bvbsn/zoekpad';
import { IdentityCheckRequestEntity, SharingSessionEntity } from '../database/entities';
import { DvmgDataset } from '../dvmg/dvmg-dataset';
import { BsnPurpose } from '../receipts/receipt-verifier';
import { IDV_SETTINGS, IdvSettings } from '../common/settings';
import { AllocationHashMatch } from './allocation-hash-match.use-case';
import { SessionLifecycle } from './session-lifecycle';
import { SharingSessionsRepository } from './sharing-sessions.repository';

/**
 * The BV BSN checks of a delivered BSN, in the delivery's transaction: at registration (processes 1 and 2) against
 * the identifying data registration sent, for a co-resident (process 4) against the stated surname and birth date.
 * BV BSN unreachable is a technical error.
 */
@Injectable()
export class BvBsnCheck {
  private readonly logger = createLogger('BvBsnCheck');

  constructor(
    private readonly repository: SharingSessionsRepository,
    private readonly lifecycle: SessionLifecycle,
    private readonly hasher: BsnHasher,
    private readonly hashMatch: AllocationHashMatch,
    @Inject(BvBsnPort) private readonly bvbsn: BvBsnPort,
    @Inject(IDV_SETTINGS) private readonly settings: IdvSettings,
  ) {}

  /** Processes 1 and 2: BV BSN zoekpad 2 (then 1 for a new registration); the person confirms after. */
  async atRegistration(tx: EntityManager, session: SharingSessionEntity, bsn: Bsn, now: Date): Promise<void> {
    const request = await this.repository.identityCheckRequest(tx, session.consentId);
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
    await this.repository.save(tx, session);
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

  /** Process 4: the co-resident's stated surname and birth date are checked through BV BSN with the shared BSN. */
  async coResident(
    tx: EntityManager,
    session: SharingSessionEntity,
    bsn: Bsn,
    dataset: DvmgDataset,
    now: Date,
  ): Promise<void> {
    const stated = await this.repository.coResidentIdentity(tx, session.subjectId);
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
    await this.hashMatch.succeed(tx, session, dataset, now);
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
}
