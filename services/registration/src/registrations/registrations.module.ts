import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { RegistrationEvents } from './registration.events';
import { IdentityCheckService } from './identity-check.service';
import { IdentityEventsConsumer } from './identity-events.consumer';
import { RegistrationsController } from './registrations.controller';
import { RegistrationsRepository } from './registrations.repository';
import { RegistrationsService } from './registrations.service';

@Module({
  imports: [OrganisationsModule],
  controllers: [RegistrationsController],
  providers: [
    RegistrationsService,
    RegistrationsRepository,
    RegistrationEvents,
    IdentityCheckService,
    IdentityEventsConsumer,
  ],
  exports: [RegistrationsService],
})
export class RegistrationsModule {}
