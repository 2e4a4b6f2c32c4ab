import { Module } from '@nestjs/common';
import { ConformanceController } from './conformance.controller';
import { ConformanceRepository } from './conformance.repository';

/** GET /conformance-evidence: this service's part of the conformance report (issue 16 item 9). */
@Module({ controllers: [ConformanceController], providers: [ConformanceRepository] })
export class ConformanceModule {}
