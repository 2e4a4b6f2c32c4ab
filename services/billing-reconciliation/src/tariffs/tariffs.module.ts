import { Module } from '@nestjs/common';
import { TariffsController } from './tariffs.controller';
import { TariffsRepository } from './tariffs.repository';
import { TariffsService } from './tariffs.service';

/** Date-versioned tariffs: the data file, overridden by tariffs set over HTTP. */
@Module({
  controllers: [TariffsController],
  providers: [TariffsRepository, TariffsService],
  exports: [TariffsService],
})
export class TariffsModule {}
