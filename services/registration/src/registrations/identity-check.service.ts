import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  ConsentGranted,
  ConsentRefused,
  ConsentWithdrawn,
  IdentityCheckRequestedEvent,
  IdentityValidated,
  IdentityValidationFailed,
  ValidatedIdentityProvided,
} from '@divit/contracts';
import { createLogger } from '@divit/observability';
import { MessagingRuntime, DomainError } from '@divit/service-kit';
import { RegistrationEntity } from './registration.entity';
import { RegistrationsRepository, Tx } from './registrations.repository';

/** The BSN processes that check a home seeker's registration (DIV-it processes 1 and 2). */
const REGISTRATION_PURPOSES = new Set(['BSN_AT_REGISTRATION', 'BSN_FOR_EXISTING_REGISTRATION']);
/** Every process that shares a BSN; a home seeker's withdrawal of any of them erases the stored hash. */
const BSN_PURPOSES = new Set([...REGISTRATION_PURPOSES, 'BSN_AND_INCOME_AT_ALLOCATION']);

export type IdentityCheckErrorCode = 'REGISTRATION_UNKNOWN' | 'CONSENT_ORGANISATION_MISMATCH';

/**
 * Raised for an event about a registration this service never had, or a consent answer of an organisation that
 * is not the registration's own: dead-lettered at once (with the code as reason), not retried.
 */
export class IdentityCheckError extends DomainError<IdentityCheckErrorCode> {}

/**
 * The registration's side of the BSN check:
 * - consent for a BSN process granted → hand the identifying fields to identity-validation (short-retention
 *   topic) and mark the check pending;
 * - validated identity → store the government-known surname and birth date;
 * - validation succeeded or failed (or consent refused, U1) → delete gender marker, postcode and house number,
 *   which were kept only for the check;
 * - the stored hash of the BSN erased (the home seeker withdrew a BSN consent, or their procedure failed at an
 *   allocation, which erases it at once: retention-cleanup's HASHED_BSN policy) → a validated identity becomes
 *   HASH_ERASED, so the allocator sees that a new check (BSN_FOR_EXISTING_REGISTRATION) is needed before the
 *   digital route can be used again, instead of an allocation failing U4 (issue 16 item 5). The validated
 *   surname and birth date stay (domain: withdrawal).
 * The registration date is never touched. Runs inside the consumer's transaction (idempotent by event id).
 */
@Injectable()
export class IdentityCheckService {
  private readonly logger = createLogger('IdentityCheckService');

  constructor(
    private readonly repository: RegistrationsRepository,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
  ) {}

  async consentGranted(tx: Tx, consent: ConsentGranted): Promise<void> {
    if (consent.subjectRole !== 'HOME_SEEKER' || !REGISTRATION_PURPOSES.has(consent.purpose)) return;
    const registration = await this.load(tx, consent.registrationId);
    this.assertOwnOrganisation(registration, consent.organisationId);
    if (registration.status === 'DEREGISTERED') {
      this.logger.warn('consent for a deregistered registration ignored', {
        registrationId: registration.id,
      });
      return;
    }
    registration.identityStatus = 'PENDING';
    await this.repository.save(tx, registration);
    await this.messaging.outbox.add(tx, IdentityCheckRequestedEvent, {
      key: registration.id,
      subject: registration.id,
      value: {
        requestId: randomUUID(),
        consentId: consent.consentId,
        registrationId: registration.id,
        subjectId: registration.id,
        subjectRole: 'HOME_SEEKER',
        purpose: consent.purpose,
        surnamePrefix: registration.surnamePrefix,
        surname: registration.surname,
        birthDate: registration.birthDate,
        genderMarker: registration.genderMarker,
        postcode: registration.postcode,
        houseNumber: registration.houseNumber,
        houseNumberAddition: registration.houseNumberAddition,
        requestedAt: Date.now(),
      },
    });
  }

  /** U1 for a BSN process at registration: the check will not happen, so its fields go. */
  async consentRefused(tx: Tx, refusal: ConsentRefused): Promise<void> {
    if (refusal.subjectRole !== 'HOME_SEEKER' || !REGISTRATION_PURPOSES.has(refusal.purpose)) return;
    const registration = await this.load(tx, refusal.registrationId);
    this.assertOwnOrganisation(registration, refusal.organisationId);
    await this.finish(tx, registration, 'FAILED');
  }

  async validatedIdentity(tx: Tx, identity: ValidatedIdentityProvided): Promise<void> {
    if (identity.subjectRole !== 'HOME_SEEKER') return;
    const registration = await this.load(tx, identity.registrationId);
    registration.validatedSurname = [identity.validatedSurnamePrefix, identity.validatedSurname]
      .filter(Boolean)
      .join(' ');
    registration.validatedBirthDate = identity.validatedBirthDate;
    registration.identityValidatedAt = new Date(identity.validatedAt);
    await this.finish(tx, registration, 'VALIDATED');
  }

  async identityValidated(tx: Tx, outcome: IdentityValidated): Promise<void> {
    if (outcome.subjectRole !== 'HOME_SEEKER' || !REGISTRATION_PURPOSES.has(outcome.purpose)) return;
    await this.finish(tx, await this.load(tx, outcome.registrationId), 'VALIDATED');
  }

  async identityValidationFailed(tx: Tx, outcome: IdentityValidationFailed): Promise<void> {
    if (outcome.subjectRole !== 'HOME_SEEKER') return;
    if (!REGISTRATION_PURPOSES.has(outcome.purpose))
      return this.hashErased(tx, outcome.registrationId, outcome.failedAt, `failure ${outcome.failure}`);
    const registration = await this.load(tx, outcome.registrationId);
    // A later failure never undoes an earlier validation of the same registration.
    await this.finish(tx, registration, registration.identityStatus === 'VALIDATED' ? 'VALIDATED' : 'FAILED');
  }

  async consentWithdrawn(tx: Tx, withdrawal: ConsentWithdrawn): Promise<void> {
    if (withdrawal.subjectRole !== 'HOME_SEEKER' || !BSN_PURPOSES.has(withdrawal.purpose)) return;
    const registration = await this.load(tx, withdrawal.registrationId);
    this.assertOwnOrganisation(registration, withdrawal.organisationId);
    await this.hashErased(tx, registration.id, withdrawal.withdrawnAt, 'consent withdrawn');
  }

  /** A validation from before `at` lost its hash; a later one (a new check) stands. */
  private async hashErased(tx: Tx, registrationId: string, at: number, reason: string): Promise<void> {
    const registration = await this.load(tx, registrationId);
    if (registration.identityStatus !== 'VALIDATED') return;
    if (registration.identityValidatedAt && registration.identityValidatedAt.getTime() > at) return;
    registration.identityStatus = 'HASH_ERASED';
    await this.repository.save(tx, registration);
    this.logger.info('validated identity no longer usable: the hashed BSN is erased', {
      registrationId,
      reason,
    });
  }

  private async finish(
    tx: Tx,
    registration: RegistrationEntity,
    status: 'VALIDATED' | 'FAILED',
  ): Promise<void> {
    registration.identityStatus = status;
    registration.genderMarker = null;
    registration.postcode = null;
    registration.houseNumber = null;
    registration.houseNumberAddition = null;
    await this.repository.save(tx, registration);
  }

  /**
   * Consent asks for the registration's own organisation (consent refuses a showing whose text is another
   * organisation's, and one for a registration it has not learned of). An answer naming any other organisation
   * is not acted on: no identity check, no deleted fields; the event is dead-lettered with the reason.
   */
  private assertOwnOrganisation(registration: RegistrationEntity, consentOrganisationId: string): void {
    if (registration.organisationId === consentOrganisationId) return;
    this.logger.warn('consent of another organisation refused', {
      registrationId: registration.id,
      consentOrganisationId,
    });
    throw new IdentityCheckError(
      'CONSENT_ORGANISATION_MISMATCH',
      `the consent's organisation ${consentOrganisationId} is not the organisation of registration ${registration.id}`,
    );
  }

  private async load(tx: Tx, registrationId: string): Promise<RegistrationEntity> {
    const registration = await this.repository.find(tx, registrationId, true);
    if (!registration)
      throw new IdentityCheckError(
        'REGISTRATION_UNKNOWN',
        `registration ${registrationId} is not known to this service`,
      );
    return registration;
  }
}
