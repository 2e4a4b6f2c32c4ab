import { Module } from '@nestjs/common';
import { ACCESS_LOG_COORDINATOR_POLICY, AccessLogCoordinatorPolicy } from '@divit/access-log';
import { StatementsController } from './statements.controller';
import { StatementsRepository } from './statements.repository';
import { StatementsService } from './statements.service';

/**
 * Income statements are the letting corporation's accountant's evidence: a route B/C coordinator reads neither
 * them nor, in `GET /access-log`, the entries about them (docs/adr/0018).
 */
const coordinatorPolicy: AccessLogCoordinatorPolicy = { withheldResourceTypes: ['income-statement'] };

@Module({
  controllers: [StatementsController],
  providers: [
    StatementsRepository,
    StatementsService,
    { provide: ACCESS_LOG_COORDINATOR_POLICY, useValue: coordinatorPolicy },
  ],
})
export class StatementsModule {}
