import { Module } from '@nestjs/common';
import { ConsentTextsModule } from '../consent-texts/consent-texts.module';
import { ConsentsModule } from '../consents/consents.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ShowingsModule } from '../showings/showings.module';
import { SigningKeysModule } from '../signing-keys/signing-keys.module';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';

/** The full consent history of a registration, with the exact texts shown, for auditors. */
@Module({
  imports: [ConsentTextsModule, ConsentsModule, OrganisationsModule, ShowingsModule, SigningKeysModule],
  controllers: [EvidenceController],
  providers: [EvidenceService],
})
export class EvidenceModule {}
