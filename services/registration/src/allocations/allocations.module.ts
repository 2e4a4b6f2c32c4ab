import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AllocationEvents } from './allocation.events';
import { AllocationsController } from './allocations.controller';
import { AllocationsRepository } from './allocations.repository';
import { AllocationsService } from './allocations.service';

@Module({
  imports: [OrganisationsModule],
  controllers: [AllocationsController],
  providers: [AllocationsService, AllocationsRepository, AllocationEvents],
})
export class AllocationsModule {}
