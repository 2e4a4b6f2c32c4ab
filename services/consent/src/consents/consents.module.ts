import { Module } from '@nestjs/common';
import { ConsentTextsModule } from '../consent-texts/consent-texts.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ShowingsModule } from '../showings/showings.module';
import { SigningKeysModule } from '../signing-keys/signing-keys.module';
import { AllocationConsentController, ConsentsController } from './consents.controller';
import { ConsentsRepository } from './consents.repository';
import { ConsentsService } from './consents.service';

/** Answers to showings (grant with signed receipt, refusal), withdrawal, and the per-allocation status. */
@Module({
  imports: [ConsentTextsModule, OrganisationsModule, ShowingsModule, SigningKeysModule],
  controllers: [ConsentsController, AllocationConsentController],
  providers: [ConsentsRepository, ConsentsService],
  exports: [ConsentsRepository],
})
export class ConsentsModule {}
