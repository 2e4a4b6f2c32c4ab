import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { TariffsModule } from '../tariffs/tariffs.module';
import { InvoicesController } from './invoices.controller';
import { InvoicesRepository } from './invoices.repository';
import { InvoicesService } from './invoices.service';

/** Invoice import (CSV or JSON) and the stored invoices. */
@Module({
  imports: [OrganisationsModule, TariffsModule],
  controllers: [InvoicesController],
  providers: [InvoicesRepository, InvoicesService],
  exports: [InvoicesRepository],
})
export class InvoicesModule {}
