import { DynamicModule, Module } from '@nestjs/common';
import { ErasureModule } from '@divit/service-kit';
import type { ConsentConfig } from './config/consent.config';
import { CONSENT_CONFIG } from './config/consent-config.token';
import { ConsentTextsController } from './consent-texts/consent-texts.controller';
import { ConsentTextsRepository } from './consent-texts/consent-texts.repository';
import { ConsentTextsService } from './consent-texts/consent-texts.service';
import { AllocationConsentController, ConsentsController } from './consents/consents.controller';
import { ConsentsRepository } from './consents/consents.repository';
import { ConsentsService } from './consents/consents.service';
import { InboundEventsConsumer } from './erasure/inbound-events.consumer';
import { consentErasure } from './erasure/owned-categories';
import { EvidenceController } from './evidence/evidence.controller';
import { EvidenceService } from './evidence/evidence.service';
import { OrganisationsRepository } from './organisations/organisations.repository';
import { OrganisationsService } from './organisations/organisations.service';
import { ShowingsController } from './showings/showings.controller';
import { ShowingsRepository } from './showings/showings.repository';
import { ShowingsService } from './showings/showings.service';
import { SigningKeysController } from './signing-keys/signing-keys.controller';
import { SigningKeysRepository } from './signing-keys/signing-keys.repository';
import { SigningKeysService } from './signing-keys/signing-keys.service';

/** The consent service's features: texts, showings, answers, receipts and keys, evidence, inbound events. */
@Module({})
export class ConsentModule {
  static forRoot(config: ConsentConfig): DynamicModule {
    return {
      module: ConsentModule,
      imports: [ErasureModule.forOwner(consentErasure)],
      controllers: [
        ConsentTextsController,
        ShowingsController,
        ConsentsController,
        AllocationConsentController,
        EvidenceController,
        SigningKeysController,
      ],
      providers: [
        { provide: CONSENT_CONFIG, useValue: config },
        OrganisationsRepository,
        ConsentTextsRepository,
        ShowingsRepository,
        ConsentsRepository,
        SigningKeysRepository,
        OrganisationsService,
        ConsentTextsService,
        ShowingsService,
        ConsentsService,
        SigningKeysService,
        EvidenceService,
        InboundEventsConsumer,
      ],
    };
  }
}
