import { Module } from '@nestjs/common';
import { SubjectAccessController } from './subject-access.controller';
import { SubjectAccessRepository } from './subject-access.repository';
import { SubjectAccessService } from './subject-access.service';

/** The subject-access section of income-retrieval (docs/adr/0032). */
@Module({
  controllers: [SubjectAccessController],
  providers: [SubjectAccessRepository, SubjectAccessService],
})
export class SubjectAccessModule {}
