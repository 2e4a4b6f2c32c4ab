import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { DeletionLogController } from './deletion-log.controller';
import { DeletionLogRepository } from './deletion-log.repository';
import { DeletionLogService } from './deletion-log.service';

/** The deletion log: what was erased, where, when and under which policy (the proof for auditors). */
@Module({
  imports: [TenancyModule],
  controllers: [DeletionLogController],
  providers: [DeletionLogRepository, DeletionLogService],
})
export class DeletionLogModule {}
