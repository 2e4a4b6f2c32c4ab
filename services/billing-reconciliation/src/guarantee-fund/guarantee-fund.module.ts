import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { GuaranteeFundController } from './guarantee-fund.controller';
import { GuaranteeFundRepository } from './guarantee-fund.repository';
import { GuaranteeFundService } from './guarantee-fund.service';

/** The guarantee fund (issue 17, ADR 0029): a second kind of shared cost on the split engine. */
@Module({
  imports: [OrganisationsModule],
  controllers: [GuaranteeFundController],
  providers: [GuaranteeFundRepository, GuaranteeFundService],
})
export class GuaranteeFundModule {}
