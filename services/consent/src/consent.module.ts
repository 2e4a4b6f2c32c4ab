import { DynamicModule, Module } from '@nestjs/common';
import { ErasureModule } from '@divit/service-kit';
import type { ConsentConfig } from './config/consent.config';
import { CONSENT_CONFIG } from './config/consent-config.token';
import { ConformanceModule } from './conformance/conformance.module';
import { ConsentTextsModule } from './consent-texts/consent-texts.module';
import { ConsentsModule } from './consents/consents.module';
import { InboundEventsConsumer } from './erasure/inbound-events.consumer';
import { consentErasure } from './erasure/owned-categories';
import { EvidenceModule } from './evidence/evidence.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { ShowingsModule } from './showings/showings.module';
import { SigningKeysModule } from './signing-keys/signing-keys.module';
import { SubjectAccessModule } from './subject-access/subject-access.module';

/**
 * The consent service's features, one Nest module each: texts, showings, answers, receipts and keys, evidence; and
 * the inbound events. Global, so every feature module injects CONSENT_CONFIG.
 */
@Module({})
export class ConsentModule {
  static forRoot(config: ConsentConfig): DynamicModule {
    return {
      module: ConsentModule,
      global: true,
      imports: [
        ErasureModule.forOwner(consentErasure),
        OrganisationsModule,
        ConsentTextsModule,
        ShowingsModule,
        ConsentsModule,
        EvidenceModule,
        SigningKeysModule,
        ConformanceModule,
        SubjectAccessModule,
      ],
      providers: [{ provide: CONSENT_CONFIG, useValue: config }, InboundEventsConsumer],
      exports: [CONSENT_CONFIG],
    };
  }
}
