import { Module } from '@nestjs/common';
import { OrganisationEvents } from './organisation.events';
import { OrganisationMembershipsController } from './organisation-memberships.controller';
import { OrganisationMembershipsService } from './organisation-memberships.service';
import { OrganisationDirectory, OrganisationScopeService } from './organisation-scope.service';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsRepository } from './organisations.repository';
import { OrganisationsService } from './organisations.service';

@Module({
  controllers: [OrganisationsController, OrganisationMembershipsController],
  providers: [
    OrganisationsService,
    OrganisationMembershipsService,
    OrganisationsRepository,
    OrganisationEvents,
    OrganisationScopeService,
    OrganisationDirectory,
  ],
  exports: [OrganisationScopeService, OrganisationDirectory],
})
export class OrganisationsModule {}
