import { Injectable } from '@nestjs/common';
import { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { sessionEntry, SessionView, toView } from './session-views';
import { SharingSessionsRepository } from './sharing-sessions.repository';
import { SharingSessionError } from './sharing-sessions.errors';

/** Reads a session of the caller's organisation; reading the validated identity shown for confirmation is logged. */
@Injectable()
export class GetSession {
  constructor(
    private readonly repository: SharingSessionsRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  async execute(principal: Principal, sessionId: string): Promise<SessionView> {
    const session = await this.repository.byId(sessionId);
    if (!session || session.organisationId !== principal.organisationId)
      throw new SharingSessionError('SESSION_NOT_FOUND', 'no such sharing session');
    const view = toView(session);
    if (view.validatedIdentity)
      await this.accessLog.record(sessionEntry(principal, 'VALIDATED_IDENTITY_READ', session));
    return view;
  }
}
