import { Module } from '@nestjs/common';
import { ErasureModule } from '@divit/service-kit';
import { identityValidationErasure } from '../erasure/owned-categories';
import { SessionOutcomesModule } from '../sharing-sessions/session-outcomes.module';
import { PlatformEventsConsumer } from './platform-events.consumer';
import { PlatformEventsRepository } from './platform-events.repository';
import { PlatformEventsService } from './platform-events.service';

/**
 * The platform events this service consumes in its one group: consent, receipt keys, identity data, allocations,
 * registrations and erasure commands (routed to ErasureHandler, docs/adr/0019).
 */
@Module({
  imports: [SessionOutcomesModule, ErasureModule.forOwner(identityValidationErasure)],
  providers: [PlatformEventsRepository, PlatformEventsService, PlatformEventsConsumer],
})
export class PlatformEventsModule {}
