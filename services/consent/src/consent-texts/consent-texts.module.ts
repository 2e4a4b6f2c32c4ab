import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ConsentTextsController } from './consent-texts.controller';
import { ConsentTextsRepository } from './consent-texts.repository';
import { ConsentTextsService } from './consent-texts.service';

/** Versioned consent texts: drafts, publication, the current version of a series. */
@Module({
  imports: [OrganisationsModule],
  controllers: [ConsentTextsController],
  providers: [ConsentTextsRepository, ConsentTextsService],
  exports: [ConsentTextsRepository, ConsentTextsService],
})
export class ConsentTextsModule {}
