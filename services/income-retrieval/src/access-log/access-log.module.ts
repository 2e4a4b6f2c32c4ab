import { Module } from '@nestjs/common';
import { AccessLogService } from './access-log.service';

/** The append-only access log, shared by every module that reads or exports personal data. */
@Module({ providers: [AccessLogService], exports: [AccessLogService] })
export class AccessLogModule {}
