import { Module } from '@nestjs/common';
import { AccessLogModule } from '../access-log/access-log.module';
import { StatementsController } from './statements.controller';
import { StatementsService } from './statements.service';

@Module({
  imports: [AccessLogModule],
  controllers: [StatementsController],
  providers: [StatementsService],
})
export class StatementsModule {}
