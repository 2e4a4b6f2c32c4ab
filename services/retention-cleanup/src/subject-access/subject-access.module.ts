import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { SubjectAccessController } from './subject-access.controller';
import { SubjectAccessRepository } from './subject-access.repository';
import { SubjectAccessService } from './subject-access.service';

/** The subject-access section of retention-cleanup (docs/adr/0032). */
@Module({
  imports: [TenancyModule],
  controllers: [SubjectAccessController],
  providers: [SubjectAccessRepository, SubjectAccessService],
})
export class SubjectAccessModule {}
