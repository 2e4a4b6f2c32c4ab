import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { SupplierCostsController } from './supplier-costs.controller';
import { SupplierCostsRepository } from './supplier-costs.repository';
import { SupplierCostsService } from './supplier-costs.service';

/** Costs a software or service supplier passes on, split like MijnOverheid invoices (issue 16 item 8). */
@Module({
  imports: [OrganisationsModule, ReconciliationModule],
  controllers: [SupplierCostsController],
  providers: [SupplierCostsRepository, SupplierCostsService],
})
export class SupplierCostsModule {}
