import { Injectable } from '@nestjs/common';
import { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { IdentityEvents } from './identity.events';
import { clearPending, refOf, SessionLifecycle } from './session-lifecycle';
import { sessionEntry, SessionView, toView } from './session-views';
import { SharingSessionsRepository } from './sharing-sessions.repository';
import { SharingSessionError } from './sharing-sessions.errors';

/**
 * The person agrees with the validated surname and birth date (the pending hash becomes the registration's stored
 * BSN hash and the session is validated) or disputes them (failure U2). Registration purposes only.
 */
@Injectable()
export class ConfirmIdentity {
  constructor(
    private readonly repository: SharingSessionsRepository,
    private readonly events: IdentityEvents,
    private readonly lifecycle: SessionLifecycle,
    private readonly accessLog: AccessLogService,
  ) {}

  async execute(principal: Principal, sessionId: string, agrees: boolean): Promise<SessionView> {
    const now = new Date();
    const result = await this.repository.transaction(async (tx) => {
      const session = await this.repository.lockById(tx, sessionId);
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
      await this.repository.upsertBsnHash(tx, {
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
      });
      session.state = 'VALIDATED';
      session.completedAt = now;
      clearPending(session);
      await this.repository.save(tx, session);
      await this.events.validated(tx, refOf(session), now);
      await this.events.validatedIdentity(tx, refOf(session), identity, now);
      return session;
    });
    if (result instanceof SharingSessionError) throw result;
    return toView(result);
  }
}
