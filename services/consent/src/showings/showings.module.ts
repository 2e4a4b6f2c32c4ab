import { Module } from '@nestjs/common';
import { ConsentTextsModule } from '../consent-texts/consent-texts.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ShowingsController } from './showings.controller';
import { ShowingsRepository } from './showings.repository';
import { ShowingsService } from './showings.service';

/** Proof of showing: which published text version was shown to whom, when, naming which controller. */
@Module({
  imports: [ConsentTextsModule, OrganisationsModule],
  controllers: [ShowingsController],
  providers: [ShowingsRepository, ShowingsService],
  exports: [ShowingsRepository],
})
export class ShowingsModule {}
