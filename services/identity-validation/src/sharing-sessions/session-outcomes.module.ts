import { Module } from '@nestjs/common';
import { IdentityEvents } from './identity.events';
import { SessionLifecycle } from './session-lifecycle';
import { SharingSessionsRepository } from './sharing-sessions.repository';

/** The events of a session's outcome and its failure handling, shared by sharing sessions and platform events. */
@Module({
  providers: [SharingSessionsRepository, IdentityEvents, SessionLifecycle],
  exports: [SharingSessionsRepository, IdentityEvents, SessionLifecycle],
})
export class SessionOutcomesModule {}
