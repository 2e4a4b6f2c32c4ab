import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AccessController } from './access.controller';
import { AccessEvents } from './access.events';
import { AccessRepository } from './access.repository';
import { AccessReviewService } from './access-review.service';
import { IdentityProvider } from './identity-provider';
import { LoginEventsReader } from './login-events.reader';
import { NamedUsersService } from './named-users.service';

/** Named users, access suspensions, access reviews and the identity provider's login events (docs/adr/0030). */
@Module({
  imports: [OrganisationsModule],
  controllers: [AccessController],
  providers: [
    AccessRepository,
    IdentityProvider,
    AccessEvents,
    NamedUsersService,
    AccessReviewService,
    LoginEventsReader,
  ],
})
export class AccessModule {}
