import { IdentityFailureCode } from '@divit/contracts';
import { Principal } from '@divit/service-kit';
import { SharingSessionEntity } from '../database/entities';
import { BsnPurpose } from '../receipts/receipt-verifier';
import { SessionState, SharingOutcome } from './session-lifecycle';

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

export const REGISTRATION_PURPOSES: readonly BsnPurpose[] = [
  'BSN_AT_REGISTRATION',
  'BSN_FOR_EXISTING_REGISTRATION',
];

export function usageRef(session: SharingSessionEntity) {
  return {
    id: session.id,
    organisationId: session.organisationId,
    allocationId: session.allocationId,
    purpose: session.purpose as BsnPurpose,
  };
}

export function toView(session: SharingSessionEntity): SessionView {
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
export function sessionEntry(
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
