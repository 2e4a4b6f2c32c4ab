import { Module } from '@nestjs/common';
import { OrganisationsRepository } from './organisations.repository';
import { OrganisationsService } from './organisations.service';

/** The local projection of organisations and registrations (registration's events) and controller resolution. */
@Module({
  providers: [OrganisationsRepository, OrganisationsService],
  exports: [OrganisationsService],
})
export class OrganisationsModule {}
