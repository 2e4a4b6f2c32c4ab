import { Module } from '@nestjs/common';
import { IdentityEvents } from './identity.events';
import { SessionLifecycle } from './session-lifecycle';

/** The events of a session's outcome and its failure handling, shared by sharing sessions and platform events. */
@Module({
  providers: [IdentityEvents, SessionLifecycle],
  exports: [IdentityEvents, SessionLifecycle],
})
export class SessionOutcomesModule {}
