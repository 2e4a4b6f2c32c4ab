import { Module } from '@nestjs/common';
import { ErasuresModule } from '../erasures/erasures.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { HoldsController } from './holds.controller';
import { HoldsRepository } from './holds.repository';
import { HoldsService } from './holds.service';

/** Legal holds: placing or lifting one holds back or releases the erasures it covers. */
@Module({
  imports: [ErasuresModule, TenancyModule],
  controllers: [HoldsController],
  providers: [HoldsRepository, HoldsService],
})
export class HoldsModule {}
