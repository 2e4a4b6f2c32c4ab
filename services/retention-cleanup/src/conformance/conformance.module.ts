import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module';
import { ConformanceController } from './conformance.controller';
import { ConformanceRepository } from './conformance.repository';

/** GET /conformance-evidence: this service's part of the conformance report (issue 16 item 9). */
@Module({
  imports: [PoliciesModule],
  controllers: [ConformanceController],
  providers: [ConformanceRepository],
})
export class ConformanceModule {}
