import { Module } from '@nestjs/common';
import { OrganisationEvents } from './organisation.events';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsRepository } from './organisations.repository';
import { OrganisationsService } from './organisations.service';

@Module({
  controllers: [OrganisationsController],
  providers: [OrganisationsService, OrganisationsRepository, OrganisationEvents],
})
export class OrganisationsModule {}
