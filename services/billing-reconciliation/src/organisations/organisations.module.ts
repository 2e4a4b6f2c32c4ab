import { Module } from '@nestjs/common';
import { OrganisationsRepository } from './organisations.repository';

/** The organisations known from registration's events (payers, members and their names). */
@Module({
  providers: [OrganisationsRepository],
  exports: [OrganisationsRepository],
})
export class OrganisationsModule {}
