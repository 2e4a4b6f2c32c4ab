import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  ConsentGrantedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  deadLetterTopicFor,
  IdentityValidatedEvent,
  IdentityValidationFailedEvent,
  ValidatedIdentityProvidedEvent,
} from '@divit/contracts';
import { ConsumedEvent, MessageOf } from '@divit/messaging';
import { MessagingRuntime } from '@divit/service-kit';
import { EntityManager } from 'typeorm';
import { IdentityCheckService } from './identity-check.service';

const handled = [
  ConsentGrantedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  IdentityValidatedEvent,
  IdentityValidationFailedEvent,
  ValidatedIdentityProvidedEvent,
] as const;

export const REGISTRATION_CONSUMER_GROUP = 'registration';

/** Kafka edge: consent and identity-validation events for the registration's BSN check. */
@Injectable()
export class IdentityEventsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly identityCheck: IdentityCheckService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: REGISTRATION_CONSUMER_GROUP,
      descriptors: handled,
      deadLetterTopic: deadLetterTopicFor.registration,
      handle: (event, tx) => this.dispatch(event, tx),
    });
  }

  private dispatch(event: ConsumedEvent<MessageOf<typeof handled>>, tx: EntityManager): Promise<void> {
    switch (event.type) {
      case 'nl.divit.consent.ConsentGranted':
        return this.identityCheck.consentGranted(tx, event.value);
      case 'nl.divit.consent.ConsentRefused':
        return this.identityCheck.consentRefused(tx, event.value);
      case 'nl.divit.consent.ConsentWithdrawn':
        return this.identityCheck.consentWithdrawn(tx, event.value);
      case 'nl.divit.identityvalidation.IdentityValidated':
        return this.identityCheck.identityValidated(tx, event.value);
      case 'nl.divit.identityvalidation.IdentityValidationFailed':
        return this.identityCheck.identityValidationFailed(tx, event.value);
      case 'nl.divit.identityvalidation.ValidatedIdentityProvided':
        return this.identityCheck.validatedIdentity(tx, event.value);
    }
  }
}
