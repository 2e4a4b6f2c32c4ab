import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  IdentityFailureCode,
  IdentityValidatedEvent,
  IdentityValidationFailedEvent,
  IncomeKind,
  IncomeSharedEvent,
  UsageRecordedEvent,
  UsageUnit,
  ValidatedIdentityProvidedEvent,
} from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';
import { uuidV5 } from '../common/uuid-v5';

import { BsnPurpose } from '../receipts/receipt-verifier';
import { SharingSessionsRepository } from './sharing-sessions.repository';

/** Who a procedure is about: pseudonymous ids only. */
export interface ProcedureRef {
  consentId: string;
  registrationId: string;
  subjectId: string;
  subjectRole: 'HOME_SEEKER' | 'CO_RESIDENT';
  purpose: BsnPurpose;
  allocationId: string | null;
}

/** Every event this service writes, through the outbox in the caller's transaction. Never a BSN. */
@Injectable()
export class IdentityEvents {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly repository: SharingSessionsRepository,
  ) {}

  async validated(tx: EntityManager, ref: ProcedureRef, at: Date): Promise<void> {
    await this.messaging.outbox.add(tx, IdentityValidatedEvent, {
      key: ref.registrationId,
      subject: ref.subjectId,
      value: {
        consentId: ref.consentId,
        registrationId: ref.registrationId,
        subjectId: ref.subjectId,
        subjectRole: ref.subjectRole,
        purpose: ref.purpose,
        validatedAt: at.getTime(),
        allocationId: ref.allocationId,
      },
    });
  }

  async failed(tx: EntityManager, ref: ProcedureRef, failure: IdentityFailureCode, at: Date): Promise<void> {
    await this.messaging.outbox.add(tx, IdentityValidationFailedEvent, {
      key: ref.registrationId,
      subject: ref.subjectId,
      value: {
        consentId: ref.consentId,
        registrationId: ref.registrationId,
        subjectId: ref.subjectId,
        subjectRole: ref.subjectRole,
        purpose: ref.purpose,
        failure,
        failedAt: at.getTime(),
        allocationId: ref.allocationId,
      },
    });
  }

  async validatedIdentity(
    tx: EntityManager,
    ref: ProcedureRef,
    identity: { surnamePrefix: string | null; surname: string; birthDate: string },
    at: Date,
  ): Promise<void> {
    await this.messaging.outbox.add(tx, ValidatedIdentityProvidedEvent, {
      key: ref.registrationId,
      subject: ref.subjectId,
      value: {
        registrationId: ref.registrationId,
        subjectId: ref.subjectId,
        subjectRole: ref.subjectRole,
        validatedSurnamePrefix: identity.surnamePrefix,
        validatedSurname: identity.surname,
        validatedBirthDate: identity.birthDate,
        validatedAt: at.getTime(),
      },
    });
  }

  async incomeShared(
    tx: EntityManager,
    sessionId: string,
    ref: ProcedureRef & { allocationId: string },
    income: { amountCents: number; kind: IncomeKind; taxYear: number },
    receivedAt: Date,
  ): Promise<void> {
    await this.messaging.outbox.add(tx, IncomeSharedEvent, {
      key: ref.allocationId,
      subject: ref.subjectId,
      id: uuidV5(`income-shared:${sessionId}`),
      value: {
        sharingId: sessionId,
        allocationId: ref.allocationId,
        registrationId: ref.registrationId,
        subjectId: ref.subjectId,
        subjectRole: ref.subjectRole,
        consentId: ref.consentId,
        incomeCents: income.amountCents,
        incomeKind: income.kind,
        taxYear: income.taxYear,
        signatureVerified: true,
        receivedAt: receivedAt.getTime(),
      },
    });
  }

  /**
   * Records one billable usage exactly once per session and unit: the usage id is a uuid v5 of
   * (session, unit), the table's unique key refuses a second row, and the event is written only when
   * the row was new. At allocation the letting corporation is attributed.
   */
  async usage(
    tx: EntityManager,
    session: { id: string; organisationId: string; allocationId: string | null; purpose: BsnPurpose },
    unit: UsageUnit,
    at: Date,
  ): Promise<boolean> {
    const usageId = uuidV5(`usage:${session.id}:${unit}`);
    const allocation = session.allocationId
      ? await this.repository.allocation(tx, session.allocationId)
      : null;
    const inserted = await this.repository.insertUsageOnce(tx, {
      usageId,
      sessionId: session.id,
      unit,
      organisationId: session.organisationId,
      lettingCorporationId: allocation?.lettingCorporationId ?? null,
      allocationId: session.allocationId,
      purpose: session.purpose,
      occurredAt: at,
    });
    if (!inserted) return false;
    await this.messaging.outbox.add(tx, UsageRecordedEvent, {
      key: session.id,
      id: usageId,
      value: {
        usageId,
        unit,
        organisationId: session.organisationId,
        lettingCorporationId: allocation?.lettingCorporationId ?? null,
        allocationId: session.allocationId,
        purpose: session.purpose,
        sessionId: session.id,
        occurredAt: at.getTime(),
      },
    });
    return true;
  }
}
