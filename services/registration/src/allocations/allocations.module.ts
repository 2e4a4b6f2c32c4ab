import { Module } from '@nestjs/common';
import { AccessLogModule } from '../access-log/access-log.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AllocationEvents } from './allocation.events';
import { AllocationsController } from './allocations.controller';
import { AllocationsRepository } from './allocations.repository';
import { AllocationsService } from './allocations.service';

@Module({
  imports: [OrganisationsModule, AccessLogModule],
  controllers: [AllocationsController],
  providers: [AllocationsService, AllocationsRepository, AllocationEvents],
})
export class AllocationsModule {}
