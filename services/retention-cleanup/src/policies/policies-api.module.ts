import { Module } from '@nestjs/common';
import { ErasuresModule } from '../erasures/erasures.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { PoliciesController } from './policies.controller';
import { AgreementsController } from './agreements.controller';
import { PoliciesModule } from './policies.module';

/** `GET/PUT /policies`: reading the policies in force and overriding one reschedules the pending erasures. */
@Module({
  imports: [PoliciesModule, ErasuresModule, TenancyModule],
  controllers: [PoliciesController, AgreementsController],
})
export class PoliciesApiModule {}
