import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AllocationClosedEvent,
  AllocationRecordedEvent,
  CoResidentIdentityProvidedEvent,
  ConsentGrantedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  deadLetterTopicFor,
  ErasureRequestedEvent,
  IdentityCheckRequestedEvent,
  ReceiptSigningKeyPublishedEvent,
  RegistrationCreatedEvent,
  RegistrationDeregisteredEvent,
} from '@divit/contracts';
import { ConsumedEvent, MessageOf } from '@divit/messaging';
import { ErasureHandler, MessagingRuntime } from '@divit/service-kit';
import { PlatformEventsService } from './platform-events.service';

const handled = [
  ReceiptSigningKeyPublishedEvent,
  ConsentGrantedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  IdentityCheckRequestedEvent,
  CoResidentIdentityProvidedEvent,
  AllocationRecordedEvent,
  AllocationClosedEvent,
  RegistrationCreatedEvent,
  RegistrationDeregisteredEvent,
  ErasureRequestedEvent,
] as const;

export const IDENTITY_VALIDATION_CONSUMER_GROUP = 'identity-validation';

/** Kafka edge: consent, receipt keys, identity data, allocations, registrations and erasure commands. */
@Injectable()
export class PlatformEventsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly platform: PlatformEventsService,
    @Inject(ErasureHandler) private readonly erasure: ErasureHandler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: IDENTITY_VALIDATION_CONSUMER_GROUP,
      descriptors: handled,
      deadLetterTopic: deadLetterTopicFor['identity-validation'],
      handle: (event, tx) => this.dispatch(event, tx),
    });
  }

  private async dispatch(event: ConsumedEvent<MessageOf<typeof handled>>, tx: EntityManager): Promise<void> {
    switch (event.type) {
      case 'nl.divit.consent.ReceiptSigningKeyPublished':
        return this.platform.receiptKey(tx, event.value);
      case 'nl.divit.consent.ConsentGranted':
        return this.platform.consentGranted(tx, event.value);
      case 'nl.divit.consent.ConsentRefused':
        return this.platform.consentRefused(tx, event.value);
      case 'nl.divit.consent.ConsentWithdrawn':
        return this.platform.consentWithdrawn(tx, event.value);
      case 'nl.divit.registration.IdentityCheckRequested':
        return this.platform.identityCheckRequested(tx, event.value);
      case 'nl.divit.registration.CoResidentIdentityProvided':
        return this.platform.coResidentIdentity(tx, event.value);
      case 'nl.divit.registration.AllocationRecorded':
        return this.platform.allocationRecorded(tx, event.value);
      case 'nl.divit.registration.AllocationClosed':
        return this.platform.allocationClosed(tx, event.value);
      case 'nl.divit.registration.RegistrationCreated':
        // Nothing to keep: sessions learn the registration from the consent receipt.
        return Promise.resolve();
      case 'nl.divit.registration.RegistrationDeregistered':
        return this.platform.registrationDeregistered(tx, event.value);
      case 'nl.divit.retentioncleanup.ErasureRequested':
        await this.erasure.handle(tx, event.value);
        return;
    }
  }
}
