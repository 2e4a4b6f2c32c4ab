import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AccessLogService } from '../access-log/access-log.service';
import { RegistrationEvents } from './registration.events';
import { RegistrationsController } from './registrations.controller';
import { RegistrationsRepository } from './registrations.repository';
import { RegistrationsService } from './registrations.service';

@Module({
  imports: [OrganisationsModule],
  controllers: [RegistrationsController],
  providers: [RegistrationsService, RegistrationsRepository, RegistrationEvents, AccessLogService],
  exports: [RegistrationsService],
})
export class RegistrationsModule {}
