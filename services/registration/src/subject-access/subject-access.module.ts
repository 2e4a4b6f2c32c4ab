import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { SubjectAccessController } from './subject-access.controller';
import { SubjectAccessRepository } from './subject-access.repository';
import { SubjectAccessService } from './subject-access.service';

/** The subject-access section of registration (docs/adr/0032). */
@Module({
  imports: [OrganisationsModule],
  controllers: [SubjectAccessController],
  providers: [SubjectAccessRepository, SubjectAccessService],
})
export class SubjectAccessModule {}
